// A short smoke profile: a few VUs for 30 s, the same mix and thresholds.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 k6/smoke.js
import { THRESHOLDS, createTeam, iteration, signIn } from './lib/api.js';

export const options = {
  vus: 5,
  duration: '30s',
  thresholds: THRESHOLDS,
};

export function setup() {
  return createTeam(signIn(`k6_smoke_${Date.now()}@loadtest.local`, 'LoadTest123!', 'k6 Smoke'), 'k6 smoke CRUD');
}

export default function (session) {
  iteration(session, 0.5);
}
