// k6/http performed for real: each request is a synchronous fetch in a child Node process.
import { execFileSync } from 'node:child_process';
import { record } from './state.js';

const FETCH = `
const [method, url, body, headers] = JSON.parse(process.argv[1]);
fetch(url, { method, body: body === null ? undefined : body, headers, redirect: 'manual' })
  .then(async (r) => {
    const text = await r.text();
    process.stdout.write(JSON.stringify({ status: r.status, body: text,
      headers: Object.fromEntries(r.headers), setCookie: r.headers.getSetCookie() }));
  })
  .catch((e) => { process.stdout.write(JSON.stringify({ status: 0, body: String(e), headers: {}, setCookie: [] })); });
`;

function select(value, path) {
  if (path === undefined) return value;
  for (const part of String(path).split('.')) {
    if (value === null || value === undefined) return undefined;
    value = value[part];
  }
  return value;
}

function request(method, url, body, params) {
  const headers = Object.assign({}, (params && params.headers) || {});
  const out = JSON.parse(execFileSync(process.execPath, ['-e', FETCH, JSON.stringify([method, url, body ?? null, headers])],
    { encoding: 'utf8' }));
  const cookies = {};
  for (const c of out.setCookie) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    cookies[pair.slice(0, i)] = [{ value: pair.slice(i + 1) }];
  }
  record.requests.push({ method, url, body: body ?? null, headers, status: out.status });
  return {
    status: out.status,
    body: out.body,
    headers: out.headers,
    cookies,
    timings: { duration: 0 },
    json(path) { return select(JSON.parse(out.body), path); },
  };
}

export function setResponseCallback() {}
export function expectedStatuses(...s) { return s; }
export const get = (url, params) => request('GET', url, null, params);
export const post = (url, body, params) => request('POST', url, body, params);
export const put = (url, body, params) => request('PUT', url, body, params);
export const patch = (url, body, params) => request('PATCH', url, body, params);
export const del = (url, body, params) => request('DELETE', url, body, params);

export default { get, post, put, patch, del, request, setResponseCallback, expectedStatuses };
