import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, type Observable } from 'rxjs';
import type { AuthedRequest } from './auth.guard';
import { GrantsService } from './grants.service';
import type { ResourceType } from './permissions';

interface CreatorRule {
  type: ResourceType;
  /** Reads the created resource's id from the route's answer. */
  id: (answer: Record<string, unknown>) => string;
}

const CREATOR_RULE = 'kiln:creator-grant';

/** Marks a create route: its caller gets MANAGE on what it created. */
export const GrantsCreator = (type: ResourceType, id: CreatorRule['id']): MethodDecorator =>
  SetMetadata(CREATOR_RULE, { type, id } satisfies CreatorRule);

@Injectable()
export class CreatorGrantInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly grants: GrantsService,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rule = this.reflector.get<CreatorRule | undefined>(CREATOR_RULE, ctx.getHandler());
    const caller = ctx.switchToHttp().getRequest<AuthedRequest>().user;
    if (!rule || !caller) return next.handle();
    return next
      .handle()
      .pipe(
        mergeMap((answer: Record<string, unknown>) =>
          from(this.grants.grantCreator(caller, rule.type, rule.id(answer)).then(() => answer)),
        ),
      );
  }
}
