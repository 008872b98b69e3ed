// Renders a kustomization the way `kustomize build` does, for the part of Kustomize that
// deploy/k8s uses — no kustomize binary is installable from the registries this project reaches.
// Supported: `resources` (files and directories), `components`, `namespace`, `images`, and
// `patches` given as JSON 6902 operations with a target chosen by kind and optionally name.
// Anything else in a kustomization is refused, so the subset cannot silently drift from Kustomize;
// tools/check-k8s.mjs also compares with `kubectl kustomize` wherever kubectl is installed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'namespace',
  'images',
  'patches',
]);

// Kinds Kubernetes keeps outside namespaces; every other kind here, custom ones included, is
// namespaced, which is how Kustomize treats kinds it has no schema for.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
]);

/** The objects `kustomize build <directory>` would print, in the order they were declared. */
export function render(directory) {
  const kustomization = readKustomization(directory);
  let objects = [];
  for (const entry of kustomization.resources ?? []) {
    const path = join(directory, entry);
    objects.push(...(statSync(path).isDirectory() ? render(path) : readObjects(path)));
  }
  for (const entry of kustomization.components ?? []) {
    objects = applyComponent(join(directory, entry), objects);
  }
  return transform(directory, kustomization, objects);
}

function applyComponent(directory, objects) {
  const component = readKustomization(directory);
  if (component.kind !== 'Component') throw new Error(`${directory}: not a kind: Component`);
  const added = [...objects];
  for (const entry of component.resources ?? []) added.push(...readObjects(join(directory, entry)));
  return transform(directory, component, added);
}

function transform(directory, kustomization, objects) {
  let result = objects;
  for (const patch of kustomization.patches ?? []) result = applyPatch(directory, patch, result);
  for (const image of kustomization.images ?? []) result = result.map((o) => setImage(o, image));
  if (kustomization.namespace) {
    result = result.map((object) =>
      CLUSTER_SCOPED.has(object.kind)
        ? object
        : { ...object, metadata: { ...object.metadata, namespace: kustomization.namespace } },
    );
  }
  return result;
}

function readKustomization(directory) {
  const file = join(directory, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${directory}: no kustomization.yaml`);
  const [kustomization] = readObjects(file);
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new Error(`${file}: ${unsupported.join(', ')} is outside the supported subset`);
  }
  return kustomization;
}

function readObjects(file) {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
      return document.toJS();
    })
    .filter((object) => object !== null);
}

function applyPatch(directory, patch, objects) {
  const { target } = patch;
  const operations = patch.path ? readObjects(join(directory, patch.path))[0] : undefined;
  if (!target?.kind || !Array.isArray(operations)) {
    throw new Error(`${directory}: patches need a target kind and a JSON 6902 list in a file`);
  }
  let matched = 0;
  const result = objects.map((object) => {
    if (object.kind !== target.kind || (target.name && object.metadata.name !== target.name)) {
      return object;
    }
    matched += 1;
    return operations.reduce(
      (patched, operation) => applyOperation(patched, operation, object),
      object,
    );
  });
  if (matched === 0) throw new Error(`${directory}: patch ${patch.path} matches nothing`);
  return result;
}

/** One RFC 6902 operation: add, replace or remove. */
function applyOperation(object, { op, path, value }, original) {
  const copy = structuredClone(object);
  const keys = path
    .split('/')
    .slice(1)
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop();
  let parent = copy;
  for (const key of keys) {
    parent = parent?.[Array.isArray(parent) ? Number(key) : key];
    if (parent === undefined) {
      throw new Error(`${original.kind}/${original.metadata.name}: ${path} has no parent`);
    }
  }
  const exists = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
  if (op === 'add') {
    if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, value);
    else parent[last] = value;
  } else if (op === 'replace' || op === 'remove') {
    if (!exists) throw new Error(`${original.kind}/${original.metadata.name}: no ${path} to ${op}`);
    if (op === 'replace') parent[Array.isArray(parent) ? Number(last) : last] = value;
    else if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    throw new Error(`JSON 6902 op "${op}" is outside the supported subset`);
  }
  return copy;
}

function setImage(object, { name, newName, newTag }) {
  const containers = object.spec?.template?.spec?.containers;
  if (!containers) return object;
  const copy = structuredClone(object);
  for (const container of copy.spec.template.spec.containers) {
    const [image] = container.image.split(':');
    if (image === name) container.image = `${newName ?? image}${newTag ? `:${newTag}` : ''}`;
  }
  return copy;
}

/** Every overlay under deploy/k8s/overlays: its name and directory. */
export function overlays(root) {
  const directory = join(root, 'deploy/k8s/overlays');
  return readdirSync(directory)
    .sort()
    .filter((name) => existsSync(join(directory, name, 'kustomization.yaml')))
    .map((name) => ({ name, directory: join(directory, name) }));
}
