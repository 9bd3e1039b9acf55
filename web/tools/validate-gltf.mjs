// Runs the Khronos glTF-Validator on the given .glb/.gltf files and prints one
// JSON object per line: {file, errors, warnings, infos, messages}. Exit code 1
// if any file has an error. Used by the Python tests and the scene builder.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import validator from 'gltf-validator';

async function validateFile(file) {
  const data = new Uint8Array(await readFile(file));
  const dir = path.dirname(file);
  const report = await validator.validateBytes(data, {
    uri: path.basename(file),
    maxIssues: 200,
    externalResourceFunction: (uri) =>
      readFile(path.resolve(dir, decodeURIComponent(uri))).then((b) => new Uint8Array(b)),
  });
  const issues = report.issues;
  return {
    file,
    errors: issues.numErrors,
    warnings: issues.numWarnings,
    infos: issues.numInfos,
    messages: issues.messages
      .filter((m) => m.severity <= 1)
      .map((m) => ({ code: m.code, severity: m.severity, pointer: m.pointer, message: m.message })),
  };
}

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const result = await validateFile(file);
    if (result.errors > 0) failed = true;
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    failed = true;
    process.stdout.write(JSON.stringify({ file, errors: 1, warnings: 0, infos: 0,
      messages: [{ code: 'UNREADABLE', severity: 0, pointer: '', message: String(err) }] }) + '\n');
  }
}
process.exit(failed ? 1 : 0);
