import type { Permission, ResourceType } from './permissions';

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  isAdmin: boolean;
  passwordVersion: number;
}

export interface ApiTokenRecord {
  id: string;
  userId: number;
  name: string;
  secretHash: string;
  readOnly: boolean;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface RefreshTokenRecord {
  id: string;
  userId: number;
  secretHash: string;
  expiresAt: number;
  revokedAt: number | null;
}

export type PrincipalType = 'user' | 'group';

export interface GrantRecord {
  resourceType: ResourceType;
  resourceId: string;
  principalType: PrincipalType;
  principalId: number;
  permission: Permission;
}

export interface GroupRecord {
  id: number;
  name: string;
  members: string[];
}
