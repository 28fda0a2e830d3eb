// The guide's k6 load test: 50/200/500/1000/500/0 VUs over 1/3/5/5/3/1 minutes.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 k6/load-test.js
import { BASE_URL, THRESHOLDS, createTeam, iteration, signIn } from './lib/api.js';

export const options = {
  stages: [
    { duration: '1m', target: 50 },   // warm-up
    { duration: '3m', target: 200 },  // medium load
    { duration: '5m', target: 500 },  // high load
    { duration: '5m', target: 1000 }, // stress
    { duration: '3m', target: 500 },  // cool-down
    { duration: '1m', target: 0 },    // end
  ],
  thresholds: THRESHOLDS,
};

// Register and log in once, and create the team CRUD pages go to; every VU shares both.
export function setup() {
  const email = `k6_${Date.now()}@loadtest.local`;
  return createTeam(signIn(email, 'LoadTest123!', 'k6 Load Test'), 'k6 CRUD');
}

export default function (session) {
  iteration(session, 1);
}

export function teardown() {
  console.log(`load test against ${BASE_URL} finished`);
}
