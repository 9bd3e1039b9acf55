"""The load-test harness: protocol-true bots over real WebSockets, and their report."""
