// Only for bench/delays.ts, which imports the probe from this old path: the probe lives in
// test/support/broker-probe.ts. Delete this file once bench/ imports it from there.
export { BrokerProbe, uniquePrefix } from '../../support/broker-probe.js';
