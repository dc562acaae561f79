// The job every system carries: ~200 bytes of JSON (a user id, an e-mail, a locale), plus
// the enqueue time on the monotonic clock, which every process on the machine shares
// (process.hrtime), so the worker can measure enqueue-to-perform latency.

export interface BenchPayload {
  user_id: string;
  email: string;
  locale: string;
  /** process.hrtime in microseconds when the producer called enqueue. */
  sent_us: number;
}

/** Nanoseconds on the machine-wide monotonic clock. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export function nowUs(): number {
  return Math.round(nowNs() / 1_000);
}

/** The payload of the job numbered `sequence`; every payload has the same size. */
export function benchPayload(sequence: number): BenchPayload {
  const suffix = String(sequence % 1_000_000).padStart(6, '0');
  return {
    user_id: `usr_7f3d4c2e9a610d8e2f4b1c5a0e93b7d2c4f1a08e6b9${suffix}`,
    email: `ada.augusta.lovelace.${suffix}+welcome-series-2026@analytical-engines.mail.example.com`,
    locale: 'en-GB',
    sent_us: nowUs(),
  };
}

export const PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(benchPayload(0)));
