/** Who is calling, once authenticated. */
export interface Principal {
  userId: number;
  username: string;
  isAdmin: boolean;
  /** Set when the call used a read-only API token: every right is capped at READ. */
  readOnly: boolean;
}

/** The caller when auth is off (`--no-auth`): a single local user who may do everything. */
export const LOCAL_PRINCIPAL: Principal = {
  userId: 0,
  username: 'local',
  isAdmin: true,
  readOnly: false,
};
