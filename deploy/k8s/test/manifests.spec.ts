import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SOURCE_CHECKPOINT_TOPIC } from '@firstline/bus';
import { TOPICS } from '@firstline/contracts';
import { SERVICES } from '../../../services/embedded/src/embedded';

const root = join(__dirname, '../../..');

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  // Each kind has its own spec; the tests below read the fields they check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** Every overlay as tools/check-k8s.mjs renders it (the same code `npm run check` validates). */
const overlays: Array<{ name: string; objects: K8sObject[] }> = JSON.parse(
  execFileSync('node', [join(root, 'tools/check-k8s.mjs'), '--json'], { encoding: 'utf8' }),
);

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const envOf = (deployment: K8sObject, name: string): string | undefined =>
  deployment.spec.template.spec.containers[0].env?.find(
    (variable: { name: string }) => variable.name === name,
  )?.value;

test('the overlays render and pass the Kubernetes, KEDA and Strimzi schemas', () => {
  expect(overlays.map((overlay) => overlay.name)).toEqual(['production', 'strimzi']);
  expect(() =>
    execFileSync('node', [join(root, 'tools/check-k8s.mjs')], { stdio: 'pipe' }),
  ).not.toThrow();
});

describe.each(overlays)('overlay $name', ({ objects }) => {
  const deployments = ofKind(objects, 'Deployment');
  const config = named(objects, 'ConfigMap', 'firstline')!.data;

  test('deploys every service alone, on its own port (a new service needs its component here)', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      SERVICES.map((s) => s.name).sort(),
    );
    for (const service of SERVICES) {
      const deployment = named(objects, 'Deployment', service.name)!;
      const container = deployment.spec.template.spec.containers[0];
      expect(envOf(deployment, 'SERVICE')).toBe(service.name);
      expect(envOf(deployment, 'PORT')).toBe(String(service.defaultPort));
      expect(container.ports).toEqual([{ name: 'http', containerPort: service.defaultPort }]);
    }
  });

  test.each(['startupProbe', 'readinessProbe', 'livenessProbe'])(
    'every pod has a %s on /health',
    (probe) => {
      for (const deployment of deployments) {
        expect(deployment.spec.template.spec.containers[0][probe].httpGet).toEqual({
          path: '/health',
          port: 'http',
        });
      }
    },
  );

  test('every pod asks for CPU and memory and is bounded in memory', () => {
    for (const deployment of deployments) {
      const { requests, limits } = deployment.spec.template.spec.containers[0].resources;
      expect(requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(limits.memory).toEqual(expect.any(String));
    }
  });

  test('every pod runs as a user, on a read-only file system, with no capabilities', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  test('every pod is given time to finish in-flight work: the preStop pause plus 15 s of stop', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      const pause = Number(pod.containers[0].lifecycle.preStop.exec.command[1]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + 15);
    }
  });

  test('every service scales on its consumer group, within the partitions, on the same brokers', () => {
    for (const deployment of deployments) {
      const name = deployment.metadata.name;
      const scaler = named(objects, 'ScaledObject', name)!;
      expect(scaler.spec.scaleTargetRef).toEqual({ name });
      expect(scaler.spec.maxReplicaCount).toBeLessThanOrEqual(Number(config.KAFKA_PARTITIONS));
      expect(scaler.spec.triggers[0]).toMatchObject({
        type: 'kafka',
        metadata: { consumerGroup: name, bootstrapServers: config.KAFKA_BROKERS },
      });
      expect(named(objects, 'PodDisruptionBudget', name)?.spec.maxUnavailable).toBe(1);
    }
  });

  test('every service the Ingress reaches also scales on CPU', () => {
    const ingress = named(objects, 'Ingress', 'firstline')!;
    const backends = new Set<string>(
      ingress.spec.rules[0].http.paths.map(
        (path: { backend: { service: { name: string } } }) => path.backend.service.name,
      ),
    );
    expect([...backends].sort()).toEqual(
      [
        'channel-chat',
        'channel-ok',
        'channel-telegram',
        'channel-vk',
        'channel-webform',
        'tickets',
      ].sort(),
    );
    for (const name of backends) {
      expect(named(objects, 'Service', name)?.spec.ports).toEqual([
        { name: 'http', port: expect.any(Number), targetPort: 'http' },
      ]);
      expect(named(objects, 'ScaledObject', name)!.spec.triggers).toContainEqual(
        expect.objectContaining({ type: 'cpu' }),
      );
    }
  });

  test('holds no Secret: they are made apart, from secrets.example.yaml', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const examples = new Set(exampleSecrets().map((secret) => secret.metadata.name));
    for (const deployment of deployments) {
      for (const source of deployment.spec.template.spec.containers[0].envFrom) {
        if (source.secretRef) expect(examples).toContain(source.secretRef.name);
      }
    }
  });
});

function exampleSecrets(): K8sObject[] {
  const text = readFileSync(join(root, 'deploy/k8s/secrets.example.yaml'), 'utf8');
  return parseAllDocuments(text).map((document) => document.toJS() as K8sObject);
}

test('the example Secrets hold placeholders only, never a value', () => {
  for (const secret of exampleSecrets()) {
    expect(secret.data).toBeUndefined();
    for (const value of Object.values(secret.stringData)) expect(value).toBe('<set me>');
  }
});

test("the Strimzi overlay declares exactly the contracts' topics, compacted where they are, and the sources' checkpoints", () => {
  const strimzi = overlays.find((overlay) => overlay.name === 'strimzi')!;
  const declared = ofKind(strimzi.objects, 'KafkaTopic').map((topic) => ({
    name: topic.metadata.name,
    compacted: topic.spec.config['cleanup.policy'] === 'compact',
  }));
  expect(declared).toEqual([
    ...Object.values(TOPICS).map(({ name, compacted }) => ({ name, compacted })),
    { name: SOURCE_CHECKPOINT_TOPIC, compacted: false },
  ]);
});
