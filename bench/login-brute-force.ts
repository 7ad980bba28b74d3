/**
 * node dist/bench/login-brute-force.js: the attack of issue 7 ("124 wrong guesses in 10 s from 32
 * connections, no lockout") against the real server with its default parameters. Prints how many
 * guesses the server checked (401) and how many it refused (429), for one targeted account and for a
 * spray over many emails from one address; then whether the owner can still sign in from elsewhere.
 */
import { httpFrom } from '../test/helpers/http-from.js';
import { startTestServer, TEST_PASSWORD, uniqueEmail, type TestServer } from '../test/helpers/server.js';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function attack(s: TestServer, ip: string, email: () => string) {
  const counts: Record<number, number> = {};
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        const res = await httpFrom(ip, `${s.url}/api/auth/login`, { json: { email: email(), password: `guess-${Math.random()}` } });
        counts[res.status] = (counts[res.status] ?? 0) + 1;
      }
    }),
  );
  return { requests: Object.values(counts).reduce((a, b) => a + b, 0), guesses_checked_401: counts[401] ?? 0, refused_429: counts[429] ?? 0, other: Object.fromEntries(Object.entries(counts).filter(([k]) => k !== '401' && k !== '429')) };
}

const s = await startTestServer();
try {
  const victim = uniqueEmail('victim');
  await s.session(victim);
  const targeted = await attack(s, '127.0.0.2', () => victim);
  const spray = await attack(s, '127.0.0.3', () => uniqueEmail('spray'));
  const ownerElsewhere = (await httpFrom('127.0.0.1', `${s.url}/api/auth/login`, { json: { email: victim, password: TEST_PASSWORD } })).status;
  console.log(JSON.stringify({ connections: CONNECTIONS, seconds: SECONDS, defaults: { LoginMaxConsecutiveFailures: 5, LoginMaxFailuresPerIpPerDay: 100 }, targeted, spray, owner_from_another_address_status: ownerElsewhere }, null, 2));
} finally {
  await s.close();
}
