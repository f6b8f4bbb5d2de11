// What a management route changed, read off its pattern, so that every route is covered without
// saying so itself (ADR 0017): the first segment after /api/v1 names the entity, the parameter
// after it its id, and the method or the rest of the path the action.
//   POST   /api/v1/plans                      plan            create
//   PUT    /api/v1/plans/:id                  plan 12         update
//   POST   /api/v1/plans/:id/upgrades/retry   plan 12         upgrades.retry
//   PATCH  /api/v1/products/:id/modules/:name product 3       modules.update
//   DELETE /api/v1/groups/:id/members         group 7         members.delete
//   POST   /api/v1/auth/login                 auth            login

export interface ChangeTarget {
  entity: string;
  entityId: string | null;
  action: string;
}

const methodVerb: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/** plans -> plan, api-keys -> api-key, delta-jobs -> delta-job; firmware and settings stay. */
function singular(collection: string): string {
  if (collection.endsWith('settings')) return collection;
  return /[^s]s$/.test(collection) ? collection.slice(0, -1) : collection;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** The id of what a create answered: `{id}`, or `{key: {id}, secret}` and the like. */
function idIn(answer: unknown): unknown {
  if (!isObject(answer)) return undefined;
  if ('id' in answer) return answer['id'];
  const inner = Object.values(answer).find((v) => isObject(v) && 'id' in v) as
    | Record<string, unknown>
    | undefined;
  return inner?.['id'];
}

export function changeTargetOf(
  method: string,
  route: string,
  params: Record<string, unknown>,
  answer: unknown,
): ChangeTarget {
  const segments = route
    .replace(/^\/api\/v\d+\//, '')
    .split('/')
    .filter(Boolean);
  const [collection = 'api', second, ...rest] = segments;
  const entity = singular(collection);
  const verb = methodVerb[method] ?? method.toLowerCase();
  const createdId = idIn(answer);
  if (second === undefined) {
    return { entity, entityId: createdId === undefined ? null : String(createdId), action: verb };
  }
  if (!second.startsWith(':')) {
    // No id: an action on the collection (auth/login, plans/targets).
    return { entity, entityId: null, action: [second, ...rest.filter((s) => !s.startsWith(':'))].join('.') };
  }
  const entityId = String(params[second.slice(1)] ?? '');
  const path = rest.filter((s) => !s.startsWith(':'));
  if (path.length === 0) return { entity, entityId, action: verb };
  // A verb after the id (publish, retry) stays as it is; a sub-collection is changed by the method.
  const endsInParam = rest[rest.length - 1]?.startsWith(':') === true;
  const action = method === 'POST' && !endsInParam ? path.join('.') : `${path.join('.')}.${verb}`;
  return { entity, entityId, action };
}

const secretKey = /pass(word)?|secret|token|^key$|credential/i;
export const maxStateChars = 4096;

/** A copy with every secret-looking field's value replaced, ready to store. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, secretKey.test(k) ? '[redacted]' : redact(v)]),
  );
}

/** The redacted value when its JSON is at most maxStateChars long; null otherwise. */
export function smallState(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const safe = redact(value);
  return JSON.stringify(safe).length <= maxStateChars ? safe : null;
}
