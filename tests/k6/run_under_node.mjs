// Run one iteration of a k6 script under Node with the k6 shim: setup → default → teardown.
// Usage: node run_under_node.mjs <script.js>   (env BASE_URL); prints a JSON record.
import { record } from 'k6/state.js';

console.log = (...args) => console.error(...args);  // stdout carries only the record
globalThis.__ENV = { BASE_URL: process.env.BASE_URL };
globalThis.__VU = 1;
globalThis.__ITER = 0;

const script = await import(new URL(process.argv[2], `file://${process.cwd()}/`).href);
const data = script.setup ? script.setup() : undefined;
script.default(data);
if (script.teardown) script.teardown(data);
process.stdout.write(JSON.stringify({ options: script.options, ...record }));
