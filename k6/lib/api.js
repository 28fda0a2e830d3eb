// Shared helpers for the Papyrus k6 scripts: one place for URLs, headers and checks.
import http from 'k6/http';
import { check, group, sleep } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
export const JSON_HEADERS = { 'Content-Type': 'application/json' };

// The load test's pass thresholds: p95 under 500 ms, under 1 % failed requests, over 95 % checks passed.
export const THRESHOLDS = {
  http_req_duration: ['p(95)<500'],
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.95'],
};

// 409 on register (user exists) and 404 after delete are expected answers, not failures.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 404, 409));

function withCookies(session) {
  const headers = Object.assign({}, JSON_HEADERS);
  if (session && session.cookie) headers.Cookie = session.cookie;
  return { headers };
}

function isArray(res) {
  try {
    return Array.isArray(res.json());
  } catch (e) {
    return false;
  }
}

// Register (201, or 409 when the email is known) then log in; returns the Cookie header value.
export function signIn(email, password, name) {
  const body = JSON.stringify({ name: name || 'k6 Load Test', email, password });
  const reg = http.post(`${BASE_URL}/api/auth/register`, body, { headers: JSON_HEADERS });
  check(reg, { 'register is 201 or 409': (r) => r.status === 201 || r.status === 409 });
  const login = http.post(`${BASE_URL}/api/auth/login`, JSON.stringify({ email, password }), { headers: JSON_HEADERS });
  check(login, { 'login is 200': (r) => r.status === 200 });
  const access = login.cookies.accessToken && login.cookies.accessToken[0].value;
  const refresh = login.cookies.refreshToken && login.cookies.refreshToken[0].value;
  if (!access) return { cookie: null };
  return { cookie: `accessToken=${access}; refreshToken=${refresh}` };
}

// The team CRUD pages go to (k6's setup creates it): anonymous Browse and Search never list a
// team page, so they never open a page a concurrent CRUD iteration is deleting — every failed
// check is a real failure.
export function createTeam(session, name) {
  const res = http.post(`${BASE_URL}/api/teams`, JSON.stringify({ name }), withCookies(session));
  check(res, { 'team is 201': (r) => r.status === 201 });
  return Object.assign({}, session, { teamId: res.status === 201 ? res.json('id') : null });
}

export function healthCheck() {
  group('Health Check', () => {
    const res = http.get(`${BASE_URL}/health`, { headers: JSON_HEADERS });
    check(res, {
      'health is 200': (r) => r.status === 200,
      'health has status': (r) => r.json('status') !== undefined,
    });
  });
}

export function browsePages() {
  group('Browse Pages', () => {
    const list = http.get(`${BASE_URL}/api/pages`, { headers: JSON_HEADERS });
    check(list, { 'list is 200': (r) => r.status === 200, 'list is an array': isArray });
    const id = list.status === 200 && isArray(list) && list.json().length ? list.json('0.id') : null;
    if (id !== null) {
      const page = http.get(`${BASE_URL}/api/pages/${id}`, { headers: JSON_HEADERS });
      check(page, { 'page is 200': (r) => r.status === 200 });
    }
  });
}

export function search() {
  group('Search', () => {
    const res = http.get(`${BASE_URL}/api/search?q=test&limit=10`, { headers: JSON_HEADERS });
    check(res, { 'search is 200': (r) => r.status === 200, 'search is an array': isArray });
  });
}

export function authenticatedCrud(session) {
  if (!session || !session.cookie) return;
  group('Authenticated CRUD', () => {
    const params = withCookies(session);
    const created = http.post(`${BASE_URL}/api/pages`, JSON.stringify({
      title: `k6 page ${__VU}-${__ITER}-${Date.now()}`,
      content: 'Load testing content',
      tags: ['k6', 'test'],
      teamId: session.teamId,
    }), params);
    check(created, { 'create is 201': (r) => r.status === 201 });
    if (created.status !== 201) return;
    const id = created.json('id');
    check(http.get(`${BASE_URL}/api/pages/${id}`, params), { 'read is 200': (r) => r.status === 200 });
    check(http.patch(`${BASE_URL}/api/pages/${id}`, JSON.stringify({ content: `Updated ${Date.now()}` }), params),
      { 'patch is 200': (r) => r.status === 200 });
    check(http.del(`${BASE_URL}/api/pages/${id}`, null, params), { 'delete is 204': (r) => r.status === 204 });
    check(http.get(`${BASE_URL}/api/pages/${id}`, params), { 'deleted page is 404': (r) => r.status === 404 });
  });
}

// One iteration of the guide's mix: health, browse, search, CRUD, with think time.
export function iteration(session, thinkSeconds) {
  healthCheck();
  browsePages();
  search();
  authenticatedCrud(session);
  if (thinkSeconds) sleep(thinkSeconds);
}
