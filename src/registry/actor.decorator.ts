import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The user name recorded in the audit trail. Authentication puts the caller on `req.user`
 * (`{ username }`); until a request carries one, the actor is the placeholder "".
 */
export const ActorName = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<Request & { user?: unknown }>();
  const username = (req.user as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? username : '';
});
