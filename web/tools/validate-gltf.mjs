// Runs the Khronos glTF-Validator on .glb/.gltf files, or on one GLB/glTF read from stdin when
// the argument is `-`, and prints one JSON object per input and line:
//   {file, errors, warnings, infos, truncated, validator, messages: [{code, severity, pointer, message}]}
// `errors`, `warnings` and `infos` are the validator's counts; `messages` lists the issues of
// severity error (0), warning (1) and info (2), at most --max-issues of them (default 200).
// Exit status 1 if any input has an error. The Python side is metaexpo/models/khronos.py.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import validator from 'gltf-validator';

const SEVERITY_INFO = 2;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

async function validateInput(file, maxIssues) {
  const fromStdin = file === '-';
  const data = fromStdin ? await readStdin() : new Uint8Array(await readFile(file));
  const dir = fromStdin ? null : path.dirname(file);
  const report = await validator.validateBytes(data, {
    uri: fromStdin ? 'stdin.glb' : path.basename(file),
    maxIssues,
    externalResourceFunction: (uri) =>
      dir === null
        ? Promise.reject(new Error(`no external files for input from stdin: ${uri}`))
        : readFile(path.resolve(dir, decodeURIComponent(uri))).then((b) => new Uint8Array(b)),
  });
  const issues = report.issues;
  return {
    file,
    errors: issues.numErrors,
    warnings: issues.numWarnings,
    infos: issues.numInfos,
    truncated: Boolean(issues.truncated),
    validator: report.validatorVersion,
    messages: issues.messages
      .filter((m) => m.severity <= SEVERITY_INFO)
      .map((m) => ({ code: m.code, severity: m.severity, pointer: m.pointer ?? '', message: m.message })),
  };
}

const args = process.argv.slice(2);
let maxIssues = 200;
const at = args.indexOf('--max-issues');
if (at >= 0) {
  maxIssues = Number.parseInt(args[at + 1], 10);
  args.splice(at, 2);
}
let failed = false;
for (const file of args) {
  try {
    const result = await validateInput(file, maxIssues);
    if (result.errors > 0) failed = true;
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    failed = true;
    process.stdout.write(JSON.stringify({ file, errors: 1, warnings: 0, infos: 0, truncated: false,
      messages: [{ code: 'UNREADABLE', severity: 0, pointer: '', message: String(err) }] }) + '\n');
  }
}
process.exit(failed ? 1 : 0);
