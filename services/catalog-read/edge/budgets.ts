/**
 * Which request budget a route spends. Search and suggest reach the search engine on every
 * uncached request, so they share the tighter budget; detail and categories are answered from
 * memory or one Redis read. Anything else (health, metrics, docs, the storefront page and its
 * assets, CORS preflights) is not limited: it is cheap, and probes must never be refused.
 */
export type Budget = 'search' | 'read';

const BUDGET_OF_ROUTE: Readonly<Record<string, Budget>> = {
  '/v1/search': 'search',
  '/v1/suggest': 'search',
  '/v1/products/:id': 'read',
  '/v1/categories': 'read',
};

/** The budget of a route pattern (Fastify's routeOptions.url); undefined: not limited. */
export function budgetOfRoute(routeUrl: string | undefined): Budget | undefined {
  return routeUrl === undefined ? undefined : BUDGET_OF_ROUTE[routeUrl];
}

export interface BudgetLimits {
  readonly searchMax: number;
  readonly readMax: number;
}

export function maxOfBudget(budget: Budget, limits: BudgetLimits): number {
  return budget === 'search' ? limits.searchMax : limits.readMax;
}

/** One counter per budget and client, so a client's searches never eat its detail budget. */
export function counterKey(budget: Budget, client: string): string {
  return `${budget}:${client}`;
}

/** The budget a counter key belongs to (the inverse of counterKey). */
export function budgetOfKey(key: string): Budget {
  return key.startsWith('search:') ? 'search' : 'read';
}
