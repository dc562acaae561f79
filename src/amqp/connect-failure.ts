/**
 * Why a connection to the broker could not be made, in words a user acts on: a refused login
 * (fix the credentials or the user's permissions), a failed TLS handshake (fix the CA, the host
 * name or the port), or a broker that cannot be reached (start it, fix the address).
 * `endpoint` must already be redacted; so must `error` (see redactError).
 */
export function describeConnectFailure(endpoint: string, error: Error | undefined): string {
  if (!error) return `the broker at ${endpoint} is unreachable`;
  const reason = error.message.trim();
  const rawCode = (error as Error & { code?: unknown }).code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  if (/ACCESS.REFUSED|\b403\b|NOT.ALLOWED|\b530\b/i.test(reason)) {
    return `the broker at ${endpoint} refused the login (${reason}): check the user name, password and virtual host`;
  }
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH)/.test(code) || /SSL routines|certificate/i.test(reason)) {
    return `the TLS connection to the broker at ${endpoint} failed (${reason}): check the CA, the host name it is verified against, and that the port speaks TLS`;
  }
  return `the broker at ${endpoint} is unreachable (${reason})`;
}
