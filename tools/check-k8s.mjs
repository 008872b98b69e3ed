// Renders every overlay in deploy/k8s/overlays and validates every object against its schema:
// Kubernetes (kubernetes-models), KEDA (@kubernetes-models/keda), and Strimzi's KafkaTopic (its
// API reference, below); deploy/k8s/secrets.example.yaml too. Where kubectl is installed, each
// overlay must also render to the same objects with `kubectl kustomize` as with the subset.
// `--json` prints the rendered overlays instead, for deploy/k8s/test.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { overlays, render } from './kustomize-subset.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rendered = overlays(root).map(({ name, directory }) => ({
  name,
  directory,
  objects: render(directory),
}));

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(rendered.map(({ name, objects }) => ({ name, objects }))));
  process.exit(0);
}

// KafkaTopicSpec as Strimzi's API reference describes it (kafka.strimzi.io/v1beta2).
const kafkaTopic = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'kafka.strimzi.io/v1beta2' },
    kind: { const: 'KafkaTopic' },
    metadata: {
      type: 'object',
      required: ['name', 'labels'],
      properties: {
        name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
        labels: { type: 'object', required: ['strimzi.io/cluster'] },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        topicName: { type: 'string' },
        partitions: { type: 'integer', minimum: 1 },
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: { type: 'object' },
      },
    },
  },
});

/** The model class for an object's apiVersion and kind: Kubernetes' own, or KEDA's. */
async function modelOf({ apiVersion, kind }) {
  const from = apiVersion.startsWith('keda.sh/') ? '@kubernetes-models/keda' : 'kubernetes-models';
  const models = await import(`${from}/${apiVersion}`).catch(() => ({}));
  if (models[kind]) return models[kind];
  throw new Error(`no schema for ${kind} in ${apiVersion}`);
}

async function problems(object) {
  if (object.kind === 'KafkaTopic') {
    return kafkaTopic(object)
      ? []
      : kafkaTopic.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
  }
  try {
    new (await modelOf(object))(object).validate();
    return [];
  } catch (error) {
    return [error.message];
  }
}

let failures = 0;
async function check(where, objects) {
  for (const object of objects) {
    for (const problem of await problems(object)) {
      failures += 1;
      console.error(`${where}: ${object.kind}/${object.metadata?.name}: ${problem}`);
    }
  }
}

for (const { name, objects } of rendered) await check(`overlay ${name}`, objects);
const secretsFile = join(root, 'deploy/k8s/secrets.example.yaml');
await check(
  'secrets.example.yaml',
  parseAllDocuments(readFileSync(secretsFile, 'utf8')).map((document) => document.toJS()),
);

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const identity = (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
for (const { name, directory, objects } of kubectl ? rendered : []) {
  const theirs = parseAllDocuments(
    execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8' }),
  ).map((document) => document.toJS());
  const ours = new Map(objects.map((o) => [identity(o), o]));
  const differing = theirs.filter((o) => !isDeepStrictEqual(o, ours.get(identity(o))));
  if (differing.length > 0 || theirs.length !== objects.length) {
    failures += 1;
    console.error(
      `overlay ${name}: kubectl kustomize renders differently: ${differing.map(identity).join(', ') || `${theirs.length} objects, not ${objects.length}`}`,
    );
  }
}

if (failures > 0) process.exit(1);
for (const { name, objects } of rendered) {
  console.log(`deploy/k8s overlay ${name}: ${objects.length} objects valid`);
}
console.log(
  kubectl
    ? 'deploy/k8s: kubectl kustomize renders every overlay the same'
    : 'deploy/k8s: kubectl not installed, so the rendering was not compared with kustomize',
);
