// drizzle-kit generates flat SQL migrations from the drizzle schema; wrangler applies them to D1.
import { defineConfig } from "drizzle-kit";

export default defineConfig({ dialect: "sqlite", schema: "./src/storage/schema.ts", out: "./migrations" });
