/**
 * Who is who: every account has an `admin` user with full power over it, and the `eucalyptus`
 * account's admin is the cloud administrator.
 */
export const CLOUD_ACCOUNT = 'eucalyptus';
export const ADMIN_USER = 'admin';

export interface Named {
  account: { name: string };
  user: { name: string };
}

/** Whether a request (anything with a principal) comes from the cloud administrator. */
export function isCloudAdmin({ principal }: { principal: Named }): boolean {
  return principal.account.name === CLOUD_ACCOUNT && principal.user.name === ADMIN_USER;
}
