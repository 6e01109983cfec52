/**
 * The layers of src/ (README "Layout"), checked by `npm run lint`: each imports only the layers
 * below it, type-only imports included, and nothing imports in a cycle.
 *
 *   entry      main, app, config, logger, http/, observability/ (metrics, readiness, shutdown gate)
 *   inbound    listeners/ (Slack requests) · tracking/ (scheduler, webhooks, outbox sender)
 *   services   services/ (use cases, the one SessionLifecycle)
 *   adapters   vendors/ · store/ · ui/ · slack/   (none imports another)
 *   domain     domain/ (pure: no I/O)
 *
 * A vendor module (src/vendors/<vendor>/) imports only domain/, its own folder and the shared
 * vendor kit (src/vendors/*.ts); no module imports another, and only the entry layer knows the
 * list of modules (src/vendors/index.ts).
 */
const ENTRY = '^src/(main|app|config|logger)\\.ts$|^src/(http|observability)/';
const INBOUND = '^src/(listeners|tracking)/';
const SERVICES = '^src/services/';
const ADAPTERS = ['vendors', 'store', 'ui', 'slack'];
const IO_MODULES = [
  '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster)$',
  '^node_modules/(pg|better-sqlite3|kysely|ky|pino|@slack/web-api|@slack/bolt|cometd|cometd-nodejs-client|dotenv)/',
];

const adapterRules = ADAPTERS.map((adapter) => ({
  name: `${adapter}-only-below`,
  comment: `${adapter}/ is an adapter: it imports domain/ (and its own files), never another adapter, services, the ways in or the entry`,
  severity: 'error',
  from: { path: `^src/${adapter}/` },
  to: {
    path: `^src/(${['services', 'listeners', 'tracking', 'http', ...ADAPTERS.filter((other) => other !== adapter)].join('|')})/|${ENTRY}`,
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two layers one; break it by passing a function or moving a type to domain/',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-the-bottom',
      severity: 'error',
      comment: 'domain/ imports nothing else of src/',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'domain-and-ui-do-no-io',
      severity: 'error',
      comment: 'domain/ and ui/ are pure: no file, network, database or Slack client (types are fine)',
      from: { path: '^src/(domain|ui)/' },
      to: { path: IO_MODULES, dependencyTypesNot: ['type-only'] },
    },
    ...adapterRules,
    {
      name: 'vendor-modules-stand-alone',
      severity: 'error',
      comment: 'a vendor module imports only domain/, its own folder and the vendor kit (src/vendors/*.ts), never another module',
      from: { path: '^src/vendors/([^/]+)/' },
      to: { path: '^src/vendors/[^/]+/', pathNot: '^src/vendors/$1/' },
    },
    {
      name: 'vendor-kit-knows-no-module',
      severity: 'error',
      comment: 'the shared vendor kit (src/vendors/*.ts) serves the modules and names none; only src/vendors/index.ts lists them',
      from: { path: '^src/vendors/[^/]+\\.ts$', pathNot: '^src/vendors/index\\.ts$' },
      to: { path: '^src/vendors/[^/]+/' },
    },
    {
      name: 'module-list-for-the-entry-only',
      severity: 'error',
      comment: 'the list of vendor modules is wired in by the entry layer and handed down',
      from: { pathNot: ENTRY },
      to: { path: '^src/vendors/index\\.ts$' },
    },
    {
      name: 'rows-stay-in-the-store',
      severity: 'error',
      comment: 'the store maps rows to the typed Session and back: row types (store/schema.ts) never leave src/store/',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: '^src/store/schema\\.ts$' },
    },
    {
      name: 'services-only-below',
      severity: 'error',
      comment: 'services never import the ways in (listeners/, tracking/) or the entry: what they must trigger is passed in as a function',
      from: { path: SERVICES },
      to: { path: `${INBOUND}|${ENTRY}` },
    },
    {
      name: 'ways-in-stay-apart',
      severity: 'error',
      comment: 'listeners/ and tracking/ are side by side: neither imports the other, nor the entry',
      from: { path: '^src/listeners/' },
      to: { path: `^src/tracking/|${ENTRY}` },
    },
    {
      name: 'tracking-stays-apart',
      severity: 'error',
      comment: 'listeners/ and tracking/ are side by side: neither imports the other, nor the entry',
      from: { path: '^src/tracking/' },
      to: { path: `^src/listeners/|${ENTRY}` },
    },
    {
      name: 'app-never-imports-the-sandboxes',
      severity: 'error',
      comment: 'dist/ holds the app alone: sandboxes and Slack stand-ins serve the demo, tests and bench',
      from: { path: '^src/' },
      to: { path: '^(sandbox|test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: they tie layers as much as value imports do.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
