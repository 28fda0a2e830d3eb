// The k6 core API, enough to run one iteration of a Papyrus k6 script under Node.
import { record } from './state.js';

export function check(value, checks) {
  let all = true;
  for (const [name, fn] of Object.entries(checks)) {
    let ok = false;
    try { ok = Boolean(fn(value)); } catch (e) { ok = false; }
    record.checks.push({ name, ok });
    all = all && ok;
  }
  return all;
}

export function group(name, fn) {
  record.groups.push(name);
  return fn();
}

export function sleep() {}

export default { check, group, sleep };
