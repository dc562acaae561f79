/**
 * Why a connection to the broker could not be made, in words a user acts on: a refused login
 * (fix the credentials or the user's permissions), a failed TLS handshake (fix the CA, the host
 * name or the port), or a broker that cannot be reached (start it, fix the address).
 * `endpoint` must already be redacted; so must `error` (see redactError).
 */
export function describeConnectFailure(endpoint: string, error: Error | undefined): string {
  if (!error) return `the broker at ${endpoint} is unreachable`;
  const reason = error.message.trim();
  const kind = connectFailureKind(error);
  if (kind === 'login') return `the broker at ${endpoint} refused the login (${reason}): check the user name, password and virtual host`;
  if (kind === 'tls') {
    return `the TLS connection to the broker at ${endpoint} failed (${reason}): check the CA, the host name it is verified against, and that the port speaks TLS`;
  }
  return `the broker at ${endpoint} is unreachable (${reason})`;
}

/**
 * `login` and `tls` failures do not go away by retrying (someone must fix the credentials or the
 * certificates); `unreachable` ones may (the broker is starting, the network is back).
 */
export function connectFailureKind(error: Error): 'login' | 'tls' | 'unreachable' {
  const reason = error.message;
  const rawCode = (error as Error & { code?: unknown }).code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  if (/ACCESS.REFUSED|\b403\b|NOT.ALLOWED|\b530\b/i.test(reason)) return 'login';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH)/.test(code) || /SSL routines|certificate/i.test(reason)) return 'tls';
  return 'unreachable';
}
