import { randomUUID } from 'node:crypto';
import type { ProductCommand, ProductFields, VariantFields } from './model.js';

/** A create body (POST /products, one import line) as validated: ids are optional there. */
export type CreateBody = Omit<ProductFields, 'variants'> & {
  readonly id?: string;
  readonly variants?: readonly (Omit<VariantFields, 'id'> & { readonly id?: string })[];
};

/** The create command of a body, with a new id for the product and each variant lacking one. */
export function createCommand(
  body: CreateBody,
): Extract<ProductCommand, { type: 'CreateProduct' }> {
  const { id = randomUUID(), variants, ...fields } = body;
  return {
    type: 'CreateProduct',
    id,
    fields: {
      ...fields,
      ...(variants === undefined
        ? {}
        : {
            variants: variants.map(({ id: variantId = randomUUID(), ...v }) => ({
              id: variantId,
              ...v,
            })),
          }),
    },
  };
}
