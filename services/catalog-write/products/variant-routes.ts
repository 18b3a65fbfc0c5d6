import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FullProductSnapshot, Money } from '../../../shared/events/catalog-events.js';
import { withProblems } from '../../../shared/http/error-schemas.js';
import type { Pool } from '../../../shared/stores/postgres.js';
import { runProductCommand } from '../../../shared/write-model/products/commands.js';
import type {
  VariantCommand,
  VariantFields,
  VariantPatch,
} from '../../../shared/write-model/products/decide.js';
import {
  conditionalHeaders,
  idParams,
  money,
  stockAdjustmentBody,
  versionResponse,
} from '../../../shared/write-model/products/schemas.js';
import {
  addVariantBody,
  patchVariantBody,
  variantParams,
  variantStockResponse,
  variantVersionResponse,
} from '../../../shared/write-model/products/variant-schemas.js';
import { answerCommand, type Answer } from '../commands/respond.js';

interface VariantParams {
  id: string;
  variantId: string;
}
type AddBody = Omit<VariantFields, 'id' | 'stock'> & { id?: string };
interface StockBody {
  warehouse: string;
  delta: number;
  reason: string;
}

const tags = ['variants'];
const security = [{ bearer: [] }];
const answer = answerCommand<FullProductSnapshot>;

const variantAnswer =
  (variantId: string, status = 200) =>
  (p: FullProductSnapshot): Answer => ({
    status,
    body: { id: p.id, version: p.version, variantId },
  });

/**
 * The variant commands (API.md "Variants"): each is one version of the product, with the same
 * conventions as the product routes (If-Match, Idempotency-Key on POST, X-Aisle-Version).
 */
export function variantRoutes(app: FastifyInstance, opts: { pool: Pool }): void {
  const { pool } = opts;
  const run =
    (id: string, command: VariantCommand) => (context: Parameters<typeof runProductCommand>[3]) =>
      runProductCommand(pool, id, command, context);
  const change = (summary: string, body: object | undefined, response: object) => ({
    schema: {
      tags,
      security,
      summary,
      params: variantParams,
      headers: conditionalHeaders,
      ...(body === undefined ? {} : { body }),
      response: withProblems({ 200: response }),
    },
  });

  app.post<{ Params: { id: string }; Body: AddBody }>(
    '/products/:id/variants',
    {
      schema: {
        tags,
        security,
        summary: "Add a variant; the first one takes over the product's own price and stock",
        params: idParams,
        headers: conditionalHeaders,
        body: addVariantBody,
        response: withProblems({ 201: variantVersionResponse }),
      },
    },
    (request, reply) => {
      const { id: variantId = randomUUID(), ...fields } = request.body;
      const command: VariantCommand = { type: 'AddVariant', variant: { id: variantId, ...fields } };
      return answer(request, reply, run(request.params.id, command), variantAnswer(variantId, 201));
    },
  );

  app.patch<{ Params: VariantParams; Body: VariantPatch }>(
    '/products/:id/variants/:variantId',
    change(
      'Change a variant (sku, options, attributes, images)',
      patchVariantBody,
      variantVersionResponse,
    ),
    (request, reply) => {
      const { id, variantId } = request.params;
      const command: VariantCommand = { type: 'ChangeVariant', variantId, patch: request.body };
      return answer(request, reply, run(id, command), variantAnswer(variantId));
    },
  );

  app.put<{ Params: VariantParams; Body: Money }>(
    '/products/:id/variants/:variantId/price',
    change("Set a variant's price", money, variantVersionResponse),
    (request, reply) => {
      const { id, variantId } = request.params;
      const command: VariantCommand = { type: 'SetVariantPrice', variantId, price: request.body };
      return answer(request, reply, run(id, command), variantAnswer(variantId));
    },
  );

  app.post<{ Params: VariantParams; Body: StockBody }>(
    '/products/:id/variants/:variantId/stock-adjustments',
    change(
      "Adjust a variant's stock in one warehouse; stock never goes below zero",
      stockAdjustmentBody,
      variantStockResponse,
    ),
    (request, reply) => {
      const { id, variantId } = request.params;
      const command: VariantCommand = { type: 'AdjustVariantStock', variantId, ...request.body };
      return answer(request, reply, run(id, command), (p) => ({
        status: 200,
        body: {
          id: p.id,
          version: p.version,
          variantId,
          available: p.variants.find((v) => v.id === variantId)?.stock.available ?? 0,
        },
      }));
    },
  );

  app.delete<{ Params: VariantParams }>(
    '/products/:id/variants/:variantId',
    change(
      'Remove a variant; the last one hands its price and stock back to the product',
      undefined,
      versionResponse,
    ),
    (request, reply) => {
      const { id, variantId } = request.params;
      return answer(request, reply, run(id, { type: 'RemoveVariant', variantId }), (p) => ({
        status: 200,
        body: { id: p.id, version: p.version },
      }));
    },
  );
}
