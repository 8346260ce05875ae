import { Injectable } from '@nestjs/common';

interface RouteLayer {
  route?: unknown;
  match?: (path: string) => boolean;
}

interface RouteMethods {
  methods: Record<string, boolean>;
}

/** Middleware mounted with router.all() (Nest does so) is not an endpoint of any one verb. */
function acceptsEveryVerb(route: RouteMethods): boolean {
  return ['get', 'post', 'put', 'patch', 'delete'].every((verb) => route.methods[verb]);
}

/**
 * The registered routes, read from the HTTP router once the app is initialised, so a request
 * with the wrong verb can be told apart from a request for a path that does not exist.
 */
@Injectable()
export class RouteTable {
  private layers: RouteLayer[] = [];

  load(router: { stack: readonly RouteLayer[] }): void {
    this.layers = router.stack.filter(
      (layer) => layer.route !== undefined && !acceptsEveryVerb(layer.route as RouteMethods),
    );
  }

  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const layer of this.layers) {
      if (!layer.match?.(path)) continue;
      for (const [method, on] of Object.entries((layer.route as RouteMethods).methods)) {
        if (on && method !== '_all') methods.add(method.toUpperCase());
      }
    }
    return [...methods].sort();
  }
}
