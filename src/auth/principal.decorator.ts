import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthedRequest } from './auth.guard';
import { LOCAL_PRINCIPAL, type Principal } from './principal';

/** The authenticated caller, as the global guard found it. */
export const Caller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<AuthedRequest>().user ?? LOCAL_PRINCIPAL,
);
