// The interop tests look at the broker with the same probe as the integration tests.
export { BrokerProbe as Broker, uniquePrefix } from '../../integration/helpers/broker-probe.js';
export { waitFor } from '../../integration/helpers/wait.js';
