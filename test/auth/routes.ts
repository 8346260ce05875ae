import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type express from 'express';
import { ACCESS_RULE, type AccessRule } from 'src/auth/access.decorator';

export interface AppRoute {
  method: string;
  path: string;
  rule: AccessRule | undefined;
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? (value as string[]) : [value === undefined ? '' : String(value)];

/** Every route of the app's controllers, with the access rule its handler declares. */
export function controllerRoutes(app: INestApplication): AppRoute[] {
  const routes: AppRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      const prefixes = asList(Reflect.getMetadata(PATH_METADATA, type));
      const proto = type.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (verb === undefined) continue;
        const rule = Reflect.getMetadata(ACCESS_RULE, handler) as AccessRule | undefined;
        for (const prefix of prefixes) {
          for (const path of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({ method: RequestMethod[verb], path: join(prefix, path), rule });
          }
        }
      }
    }
  }
  return routes;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the HTTP server answers, as "METHOD /path", catch-all middleware left out. */
export function serverRoutes(app: INestApplication): string[] {
  const router = (app.getHttpAdapter().getInstance() as express.Express).router as unknown as {
    stack: Layer[];
  };
  const found = new Set<string>();
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const verbs = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
    if (verbs.length > 5) continue;
    for (const verb of verbs) found.add(`${verb.toUpperCase()} ${layer.route.path}`);
  }
  return [...found].sort();
}
