// The catalog contract: PUT /v1/items bodies.
import * as z from "zod";
import {
  MAX_ITEM_ATTRIBUTES,
  MAX_ITEM_LABELS,
  MAX_ITEMS_PER_UPSERT,
  MAX_LABEL_LENGTH,
  MAX_PROPERTY_KEY_LENGTH,
  MAX_PROPERTY_VALUE_LENGTH,
} from "../config/limits";
import { idString, text, wellFormedString } from "./common";

const label = wellFormedString().min(1).max(MAX_LABEL_LENGTH);
const attributeValue = z.union([
  wellFormedString().max(MAX_PROPERTY_VALUE_LENGTH),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

export const itemSchema = z.object({
  id: idString,
  title: text.optional(),
  url: text.optional(),
  image: text.optional(),
  categories: z.array(label).max(MAX_ITEM_LABELS).default([]),
  tags: z.array(label).max(MAX_ITEM_LABELS).default([]),
  attributes: z
    .record(wellFormedString().min(1).max(MAX_PROPERTY_KEY_LENGTH), attributeValue)
    .refine((o) => Object.keys(o).length <= MAX_ITEM_ATTRIBUTES, `must have at most ${MAX_ITEM_ATTRIBUTES} keys`)
    .optional(),
  available: z.boolean().default(true),
});
export type CatalogItem = z.infer<typeof itemSchema>;

export const itemUpsertSchema = z.object({
  items: z.array(itemSchema).min(1, "must hold at least one item").max(MAX_ITEMS_PER_UPSERT),
});
