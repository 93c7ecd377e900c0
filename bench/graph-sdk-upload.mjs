// Upload one file with @microsoft/microsoft-graph-client 3.0.7 LargeFileUploadTask,
// for bench/transfer.mjs. Prints {"seconds": …} for the session and the fragments.
// Usage: NODE_EXTRA_CA_CERTS=cert.pem node bench/graph-sdk-upload.mjs ORIGIN TOKEN FILE FRAGMENT_BYTES
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, FileUpload, LargeFileUploadTask } from '@microsoft/microsoft-graph-client';

const [origin, token, file, fragment] = process.argv.slice(2);
if (!origin?.startsWith('https://127.0.0.1:') || !token || !file || !Number(fragment)) {
  console.error(
    'usage: node bench/graph-sdk-upload.mjs https://127.0.0.1:PORT TOKEN FILE FRAGMENT_BYTES',
  );
  process.exit(2);
}

const client = Client.init({
  authProvider: (done) => done(null, token),
  baseUrl: `${origin}/`,
  defaultVersion: 'v1.0',
  // The SDK attaches the token only to Graph hosts and to hosts listed here.
  customHosts: new Set(['127.0.0.1']),
});

// FileUpload needs the whole file in memory; that is how the SDK's Node example uploads.
const bytes = await readFile(file);
const name = path.basename(file);
const started = process.hrtime.bigint();
const session = await LargeFileUploadTask.createUploadSession(
  client,
  `${origin}/v1.0/me/drive/root:/bench/sdk-${name}:/createUploadSession`,
  { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
);
const task = new LargeFileUploadTask(client, new FileUpload(bytes, name, bytes.length), session, {
  rangeSize: Number(fragment),
});
const result = await task.upload();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (result.responseBody?.size !== bytes.length) {
  console.error(`upload finished with an unexpected body: ${JSON.stringify(result.responseBody)}`);
  process.exit(1);
}
console.log(JSON.stringify({ seconds }));
