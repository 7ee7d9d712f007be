/** Security scenario applied to the STS endpoint, as WSO2's console numbers and names them. */
export interface SecurityPolicySettings {
  /** WSO2 scenario number; 1 is UsernameToken. */
  scenarioId: number;
  scenario: 'UsernameToken';
  /** Roles whose members may obtain tokens. */
  allowedRoles: string[];
}

/** Settings key under which the applied policy is stored. */
export const SECURITY_POLICY_SETTING = 'sts.securityPolicy';

/** Policy applied on first start: UsernameToken, with the admin role allowed. */
export const DEFAULT_SECURITY_POLICY: SecurityPolicySettings = {
  scenarioId: 1,
  scenario: 'UsernameToken',
  allowedRoles: ['admin'],
};

/** True when the user has at least one role the policy allows. */
export function isAuthorized(roles: readonly string[], policy: SecurityPolicySettings): boolean {
  return roles.some((role) => policy.allowedRoles.includes(role));
}
