// Accounts and API keys carry one role; each grants what the roles below it grant.
export const roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof roles)[number];

export function hasRole(actual: Role, required: Role): boolean {
  return roles.indexOf(actual) >= roles.indexOf(required);
}

/** The role that grants less of the two (an API key acts with no more than its owner's). */
export function lesserRole(a: Role, b: Role): Role {
  return hasRole(a, b) ? b : a;
}
