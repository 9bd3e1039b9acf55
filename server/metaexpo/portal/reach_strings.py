"""The reach dashboards' strings (exhibitor portal and staff console), in Chinese and English.

Kept beside :mod:`metaexpo.portal.i18n`, which merges them into its table. Every key
starts with ``reach_``; the dashboard script (``web/src/reach/dashboard.js``) gets them
without the prefix, from the page, so the server keeps the one list of the pages' words.
"""

from __future__ import annotations

REACH_STRINGS: dict[str, tuple[str, str]] = {
    # (zh, en)
    "reach": ("触达数据", "Reach"),
    "reach_booth_title": ("展位触达数据", "Booth reach"),
    "reach_hall_title": ("展馆实时数据", "The hall, live"),
    "reach_intro_booth": (
        "今天到目前为止的数据，每 5 秒自动更新。来访：访客在展位区域内停留至少几秒。"
        "匿名访客按会话计数，不识别个人。",
        "Today so far, updated every 5 seconds. A visit is a visitor inside the booth's area "
        "for at least a few seconds. Anonymous visitors are counted by session, never "
        "identified.",
    ),
    "reach_intro_hall": (
        "现在在馆内的人数、今天最热门的展位、展区之间的人流、展馆热力图与论坛出席，"
        "每 5 秒自动更新。",
        "Who is in the hall now, today's top booths, flows between zones, the hall's heatmap "
        "and forum attendance, updated every 5 seconds.",
    ),
    "reach_unavailable": (
        "图表脚本尚未构建（web/dist）。请运行 scripts/bootstrap 后重新加载。",
        "The charts' script is not built (web/dist). Run scripts/bootstrap, then reload.",
    ),
    "reach_visits": ("来访", "Visits"),
    "reach_unique_visitors": ("独立访客", "Unique visitors"),
    "reach_unique_visitors_today": ("今日独立访客", "Unique visitors today"),
    "reach_estimate": (
        "≈ 多节点实时估计，误差不超过 {bound}%",
        "≈ live estimate across nodes, within {bound} %",
    ),
    "reach_visits_today": ("今日展位来访", "Booth visits today"),
    "reach_dwell": ("停留时间", "Dwell time"),
    "reach_dwell_average": ("平均停留", "Average stay"),
    "reach_panel_opens": ("打开展位介绍", "Info panel opens"),
    "reach_link_clicks": ("链接点击", "Link clicks"),
    "reach_leads": ("名片", "Cards"),
    "reach_here_now": ("当前在场", "Here now"),
    "reach_zone_average": ("本展区展位平均", "Zone's average booth"),
    "reach_minutes": ("分钟", "minutes"),
    "reach_visits_over_time": ("来访与名片（随时间）", "Visits and cards over time"),
    "reach_dwell_over_time": ("停留时间（随时间）", "Dwell time over time"),
    "reach_dwell_distribution": ("每次来访停留多久", "How long visits lasted"),
    "reach_heatmap_booth": (
        "展位周边热力图（每平方米停留秒数）",
        "Around the booth (seconds spent per square metre)",
    ),
    "reach_heatmap_hall": (
        "展馆热力图（当前人数，虚线为展区）",
        "The hall now (people; dashed: zones)",
    ),
    "reach_occupancy_now": ("各展区当前人数", "People in each zone now"),
    "reach_top_booths": ("今日来访最多的展位", "Today's most visited booths"),
    "reach_zone_flows": (
        "展区之间的人流（行：从，列：到）",
        "Flows between zones (row: from, column: to)",
    ),
    "reach_forum_attendance": ("论坛出席", "Forum attendance"),
    "reach_card_name": ("姓名", "Name"),
    "reach_card_organisation": ("单位", "Organisation"),
    "reach_card_title": ("职务", "Title"),
    "reach_card_contact": ("联系方式", "Contact"),
    "reach_card_message": ("留言", "Message"),
    "reach_card_left_at": ("留下时间", "Left at"),
    "reach_no_cards": ("还没有访客留下名片。", "No visitor has left a card yet."),
    "reach_export_csv": ("导出 CSV", "Export CSV"),
    "reach_export_json": ("导出 JSON", "Export JSON"),
}
