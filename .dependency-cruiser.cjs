// Import rules of src/ (issue 21), checked by `npm run check:imports` in .ci/run.
// The layers, lowest first; an arrow may only point down:
//   support, errors, config  <-  envelope  <-  job  <-  adapters  <-  amqp, topology  <-  worker, handlers  <-  cli
// tracing/ (OpenTelemetry spans) sits beside envelope: it imports only support, config, errors and
// envelope (types), so amqp/, adapters/ and worker/ may all use it.
// metrics/ (Prometheus, prom-client an optional peer dependency) listens to the worker's and the AMQP
// adapter's events: it sits above worker/ and adapters/, below cli/.
// (index.ts, rabbitmq.ts and testing/ are the public entry points and may import anything.)
// Type-only imports count too, except where a rule says otherwise: a layer that names a type
// of a higher one is as tangled as one that calls it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between modules (type-only imports are erased at run time and do not count).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'job-and-envelope-stay-out-of-rabbitmq',
      severity: 'error',
      comment: 'Jobs and envelopes know nothing of AMQP, topology or the worker: the worker joins them.',
      from: { path: '^src/(job|envelope)/' },
      to: { path: '^src/(amqp|topology|worker|handlers|cli|adapters/(amqp|inline|async|test))/' },
    },
    {
      name: 'envelope-below-job',
      severity: 'error',
      comment: 'The envelope is the wire format; it knows nothing of job classes or adapters.',
      from: { path: '^src/envelope/' },
      to: { path: '^src/(job|adapters)/' },
    },
    {
      name: 'amqp-below-adapters',
      severity: 'error',
      comment: 'RabbitMQ I/O knows nothing of adapters (the AMQP adapter is built on it).',
      from: { path: '^src/amqp/' },
      to: { path: '^src/(adapters|job|worker|handlers|cli)/' },
    },
    {
      name: 'pure-topology',
      severity: 'error',
      comment: 'topology/ is the pure half (types, load, validate, plan); the broker half is amqp/topology/.',
      from: { path: '^src/topology/' },
      to: { path: '^src/(amqp|adapters|job|worker|handlers|cli)/' },
    },
    {
      name: 'pure-schedule',
      severity: 'error',
      comment: 'schedule/ is the pure half of recurring jobs (definitions, tick times, policies, files); the leader is worker/scheduler.ts.',
      from: { path: '^src/schedule/' },
      to: { path: '^src/(amqp|adapters|job|worker|handlers|cli)/' },
    },
    {
      name: 'tracing-is-low-level',
      severity: 'error',
      comment:
        'tracing/ (OpenTelemetry, an optional peer dependency loaded lazily) knows only support, config, errors and envelope types: the adapters, amqp and the worker call it.',
      from: { path: '^src/tracing/' },
      to: { path: '^src/', pathNot: ['^src/(support|config|envelope|tracing)/', '^src/errors\\.ts$'] },
    },
    {
      name: 'envelope-below-tracing',
      severity: 'error',
      comment: 'The envelope is the wire format; the spans read it, never the other way round.',
      from: { path: '^src/envelope/' },
      to: { path: '^src/tracing/' },
    },
    {
      name: 'support-and-config-at-the-bottom',
      severity: 'error',
      comment: 'Shared helpers and configuration import nothing above them (the adapter contract type excepted).',
      from: { path: '^src/(support|config)/' },
      to: { path: '^src/', pathNot: ['^src/(support|config)/', '^src/errors\\.ts$', '^src/adapters/adapter\\.ts$'] },
    },
    {
      name: 'nothing-imports-the-cli-or-worker-from-below',
      severity: 'error',
      comment:
        'Only the CLI, handlers, the entry points and the observers of a running worker (metrics/, web/, tracing/: they name WorkerEvents and read its state) use the worker; nothing but the CLI uses cli/.',
      from: { path: '^src/', pathNot: ['^src/(cli|worker|handlers)/', '^src/(metrics|web|tracing)/', '^src/(index|rabbitmq)\\.ts$'] },
      to: { path: '^src/(worker|cli)/' },
    },
    {
      name: 'no-cli-from-library',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'entry-points-are-not-imported',
      severity: 'error',
      comment: 'src/index.ts and src/rabbitmq.ts list the public API; code inside src imports the module that defines a name.',
      from: { path: '^src/' },
      to: { path: '^src/(index|rabbitmq)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
