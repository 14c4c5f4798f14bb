/** Purchase invitations in the schema. */
import { createInvitation, invitationCursor, listInvitations, type Invitation } from "./invitations.js";
import { staffMutationOfInput, staffPageArgs, staffPageCost, staffPageRead } from "../../graphql/staff-page.js";
import { type Builder, expose, inputFields, ofType, optional, required, scalar } from "../../graphql/builder.js";

export function addInvitationSchema(builder: Builder): void {
  const InvitationRef = builder.objectRef<Invitation>("Invitation").implement({
    description: "An invitation to review one product of one order line. The customer's email is never returned.",
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("The invitation's id."),
          productId: scalar.ID("The product it is for."),
          orderRef: scalar.String("Your reference of the order line."),
          createdAt: scalar.DateTime("When it was made."),
        },
        {
          cursor: t.string({
            description: "Pass as `invitations(after:)` to get the invitations made before this one.",
            resolve: (i) => invitationCursor(i),
          }),
          ...expose(t, {
            expiresAt: scalar.DateTime("After this it cannot be used."),
            usedAt: scalar.DateTime("When it was used; null while unused.", { nullable: true }),
            reviewId: scalar.String("The review written with it.", { nullable: true }),
          }),
        },
      ),
  });

  const NewInvitation = builder.objectRef<{ invitation: Invitation; token: string; existing: boolean }>("NewInvitation").implement({
    description: "An invitation just made (or the order line's earlier one), with its token.",
    fields: (t) =>
      expose(t, {
        token: scalar.String(
          "Put it in the link you send the customer (e.g. the review form's `invitation` parameter). It is signed, single-use, for this product only, and expires.",
        ),
        invitation: ofType(InvitationRef, "Its details."),
        existing: scalar.Boolean(
          "True when this order line (product and orderRef) already had an invitation: that one is returned as it stands (same token, expiry and email; maybe used), and nothing new is made.",
        ),
      }),
  });

  const CreateInvitationInput = builder.inputType("CreateInvitationInput", {
    description: "Who bought what.",
    fields: (t) =>
      inputFields(
        t,
        {
          productId: required.ID("The product bought."),
          orderRef: required.String("Your reference of the order line (letters, digits and . _ : / # @ + -)."),
          customerEmail: optional.String("Kept with the review for privacy requests; never returned by the API."),
        },
        {
          expiresInDays: t.int({ required: false, defaultValue: 30, description: "Days until it expires, 1 to 365." }),
        },
      ),
  });

  builder.mutationField("createInvitation", (t) =>
    staffMutationOfInput(t, {
      type: NewInvitation,
      scope: "invitations:write",
      description:
        "Invites the buyer of an order line to review the product; the review will be marked VERIFIED_PURCHASE. An order line has one invitation, so at most one verified review: asking again for the same productId and orderRef returns the first invitation (existing: true). Needs INVITATIONS_WRITE.",
      inputType: CreateInvitationInput,
      input: "The order line.",
      run: (deps, shopId, input) =>
        createInvitation(deps, shopId, {
          productId: String(input.productId),
          orderRef: input.orderRef,
          customerEmail: input.customerEmail,
          expiresInDays: input.expiresInDays,
        }),
    }),
  );

  builder.queryField("invitations", (t) =>
    t.field({
      nullable: true,
      type: [InvitationRef],
      description:
        "The shop's invitations, newest first, a page at a time: for the next page, pass the last one's `cursor` as `after`. Needs INVITATIONS_WRITE.",
      extensions: { complexity: staffPageCost },
      args: staffPageArgs(t.arg, { cursor: "this invitation's `cursor`" }),
      resolve: async (_r, args, ctx) => {
        const { shop, first, after } = await staffPageRead(ctx, "invitations:write", args);
        return listInvitations(ctx.deps, shop.id, first, after);
      },
    }),
  );
}
