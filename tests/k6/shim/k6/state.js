// What a k6 script did under the shim: every request and every check.
export const record = { requests: [], checks: [], groups: [] };
