/**
 * Shops and their API keys in the schema: the caller's shop, and the keys it
 * manages (create, rotate, revoke, list).
 */
import { staffMutationById, staffMutationOfInput } from "../../graphql/staff-page.js";
import type { ObjectRef } from "@pothos/core";
import { type Builder, enumOf, expose, inputFields, ofType, optional, required, scalar, type Types } from "../../graphql/builder.js";
import type { Shop } from "./shops.js";
import { SCOPES, issueKey, listKeys, revokeKey, rotateKey, scopeName, type ApiKeyInfo, type KeyKind, type Scope } from "./keys.js";

export function addShopSchema(builder: Builder): { ShopRef: ObjectRef<Types, Shop> } {
  const ShopRef = builder.objectRef<Shop>("Shop").implement({
    description: "A shop: the tenant that owns products and their reviews. Your API key says which shop you are.",
    fields: (t) =>
      expose(t, {
        id: scalar.ID("Starling's id of the shop."),
        name: scalar.String("The shop's display name."),
      }),
  });

  const KeyKindEnum = enumOf(
    builder,
    "ApiKeyKind",
    "What kind of key: where it may be kept decides what it may do.",
    {
      PUBLISHABLE: "May sit in a web page: reads, and the customer review form.",
      SECRET: "Stays on the shop's server: writes and key management.",
    },
    "lowercase",
  );

  const ScopeEnum = enumOf(
    builder,
    "ApiKeyScope",
    "One permission a key can hold.",
    Object.fromEntries(
      Object.entries(SCOPES).map(([scope, description]) => [scopeName(scope as Scope), [scope as Scope, description] as const]),
    ),
  );

  const ApiKeyRef = builder.objectRef<ApiKeyInfo>("ApiKey").implement({
    description: "One of the shop's API keys. The key itself is shown only once, when it is made.",
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("The key's public id, to rotate or revoke it."),
          kind: ofType(KeyKindEnum, "Publishable or secret."),
          label: scalar.String("Your note about what the key is for.", { nullable: true }),
        },
        {
          scopes: t.field({ type: [ScopeEnum], description: "What the key may do.", resolve: (k) => [...k.scopes] }),
          ...expose(t, {
            prefix: scalar.String("The key's first characters, to recognise it."),
            createdAt: scalar.DateTime("When it was made."),
            revokedAt: scalar.DateTime("When it was revoked (it no longer works); null while active.", { nullable: true }),
          }),
        },
      ),
  });

  const NewApiKey = builder.objectRef<{ key: string; info: ApiKeyInfo }>("NewApiKey").implement({
    description: "A key just made: keep `key` now, Starling stores only its hash and cannot show it again.",
    fields: (t) => ({
      key: t.exposeString("key", { description: "The key itself, for `Authorization: Bearer <key>`." }),
      apiKey: t.field({ type: ApiKeyRef, description: "Its details.", resolve: (k) => k.info }),
    }),
  });

  const CreateApiKeyInput = builder.inputType("CreateApiKeyInput", {
    description: "A new API key.",
    fields: (t) =>
      inputFields(
        t,
        {
          kind: required.of(KeyKindEnum, "Publishable (for web pages) or secret (for servers)."),
          label: optional.String("A note about what the key is for, up to 100 characters."),
        },
        {
          scopes: t.field({
            required: false,
            type: [ScopeEnum],
            description:
              "What it may do; defaults to everything its kind may hold. A publishable key holds at most REVIEWS_READ and FORM_SUBMIT.",
          }),
        },
      ),
  });

  builder.queryFields((t) => ({
    apiKeys: t.field({
      nullable: true,
      type: [ApiKeyRef],
      description: "Your shop's API keys, active and revoked. Needs the KEYS_MANAGE scope.",
      resolve: async (_r, _a, ctx) => listKeys(ctx.deps, (await ctx.authorize("keys:manage")).id),
    }),
    shop: t.field({
      nullable: true,
      type: ShopRef,
      description: "The shop your API key belongs to.",
      resolve: async (_r, _a, ctx) => (await ctx.caller()).shop,
    }),
  }));

  builder.mutationFields((t) => ({
    createApiKey: staffMutationOfInput(t, {
      type: NewApiKey,
      scope: "keys:manage",
      description: "Makes a new key for your shop. Needs KEYS_MANAGE.",
      inputType: CreateApiKeyInput,
      input: "The key to make.",
      run: (deps, shopId, input) =>
        issueKey(deps, shopId, {
          kind: input.kind as KeyKind,
          label: input.label,
          scopes: input.scopes as Scope[] | null | undefined,
        }),
    }),
    rotateApiKey: staffMutationById(t, {
      type: NewApiKey,
      scope: "keys:manage",
      description:
        "Replaces a key with a new one of the same kind, label and scopes; the old key stops working at once. Needs KEYS_MANAGE.",
      id: "The id of the key to replace.",
      run: rotateKey,
    }),
    revokeApiKey: staffMutationById(t, {
      type: ApiKeyRef,
      scope: "keys:manage",
      description:
        "Stops a key from working, for good. The shop's last working key with KEYS_MANAGE cannot be revoked (LAST_KEY): make another first, or rotate it. Needs KEYS_MANAGE.",
      id: "The id of the key to revoke.",
      run: revokeKey,
    }),
  }));

  return { ShopRef };
}
