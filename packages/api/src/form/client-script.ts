/**
 * The form pages' script (the review form and the question form), sent inline
 * (with a CSP nonce). Plain ES2017 in a string, not compiled TypeScript: it
 * runs in the customer's browser as written, and the pages must work without
 * any build step.
 *
 * It reads its settings from the JSON in #starling-form-config (`kind` says
 * which form; `fields` maps each API input field to its form field), submits
 * through the public mutation (`submitReview` or `askQuestion`) with the
 * publishable key, maps each INVALID_INPUT error's `extensions.field` to its
 * form field, and tells the embedding page its height and each stored review
 * or question by postMessage (messages namespaced `starling: 1`, see
 * packages/sdk/src/widget/messages.ts).
 */
export const FORM_SCRIPT = `
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("starling-form-config").textContent);
  var S = config.strings;
  var form = document.querySelector("form");
  var summary = document.getElementById("summary");
  var done = document.getElementById("done");
  var button = form.querySelector("button[type=submit]");
  var ASKING = config.kind === "question";
  // API input field -> form field id suffix, and -> its label for the summary.
  var FIELDS = config.fields;
  var LABELS = {};
  Object.keys(FIELDS).forEach(function (f) { LABELS[f] = config.labels[f]; });
  var INVITATION_ERRORS = {
    INVALID_INVITATION: "err_invitation_invalid",
    INVITATION_EXPIRED: "err_invitation_expired",
    INVITATION_USED: "err_invitation_used",
  };
  var lastPayload = null;
  var idempotencyKey = null;

  function post(message) {
    message.starling = 1;
    if (window.parent !== window) window.parent.postMessage(message, "*");
  }
  function resized() {
    post({ type: "resize", height: document.documentElement.scrollHeight });
  }
  if (window.ResizeObserver) new ResizeObserver(resized).observe(document.body);
  resized();

  function gql(query, variables) {
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + config.key },
      body: JSON.stringify({ query: query, variables: variables }),
    }).then(function (res) {
      return res.json().then(function (json) {
        json.status = res.status;
        return json;
      });
    });
  }

  function randomKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function clearErrors() {
    summary.textContent = "";
    Object.keys(FIELDS).forEach(function (field) {
      var id = FIELDS[field];
      document.getElementById("e-" + id).textContent = "";
      var input = document.getElementById("f-" + id);
      input.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    var named = [];
    var general = null;
    errors.forEach(function (e) {
      var ext = e.extensions || {};
      var field = ext.field;
      if (ext.code === "INVALID_INPUT" && FIELDS[field]) {
        if (named.indexOf(field) < 0) named.push(field);
      } else if (ext.code === "INVALID_INVITATION" || ext.code === "INVITATION_EXPIRED" || ext.code === "INVITATION_USED") {
        general = S[INVITATION_ERRORS[ext.code]];
      } else if (ext.code === "IDEMPOTENCY_KEY_REUSED" && config.invitation) {
        // One invitation, one review: the server keys an invited review by its invitation.
        general = S.err_invitation_used;
      } else if (ext.code === "RATE_LIMITED") {
        general = S.err_rate;
      } else if (ext.code === "UNAUTHENTICATED" || ext.code === "FORBIDDEN" || ext.code === "PRODUCT_NOT_FOUND") {
        general = S.err_setup;
      } else {
        general = general || S.err_general;
      }
    });
    named.forEach(function (field) {
      var id = FIELDS[field];
      document.getElementById("e-" + id).textContent = S["err_" + field];
      document.getElementById("f-" + id).setAttribute("aria-invalid", "true");
    });
    // One alert for screen readers: what to fix, in words, then focus the first field.
    var labels = named.map(function (f) { return LABELS[f]; });
    summary.textContent = [general, labels.length ? S.summary.replace("{fields}", labels.join(", ")) : null]
      .filter(Boolean).join(" ");
    if (named.length) {
      var first = document.getElementById("f-" + FIELDS[named[0]]);
      (first.querySelector("input") || first).focus();
    }
  }

  if (config.invitationMalformed) summary.textContent = S.err_invitation_invalid;

  gql("query FormProduct($id: ID!) { product(id: $id) { name } }", { id: config.productId }).then(function (json) {
    var name = json.data && json.data.product && json.data.product.name;
    if (name) document.getElementById("product").textContent = S.product.replace("{name}", name);
    else { summary.textContent = S.err_setup; button.disabled = true; }
  }, function () {});

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var data = new FormData(form);
    // The honeypot: hidden from people and screen readers, so only a bot fills it.
    // It is told "thank you" and nothing is sent.
    if (data.get("hp_check")) {
      form.hidden = true;
      done.hidden = false;
      return;
    }
    var input;
    if (ASKING) {
      input = {
        productId: config.productId,
        body: String(data.get("body") || ""),
        author: { name: String(data.get("name") || "") },
        language: config.lang,
      };
    } else {
      var rating = data.get("rating");
      input = {
        productId: config.productId,
        rating: rating === null ? null : Number(rating),
        title: String(data.get("title") || ""),
        body: String(data.get("body") || ""),
        reviewer: { name: String(data.get("name") || "") },
        language: config.lang,
      };
      // A purchase invitation makes the review a verified purchase (the API checks the token).
      if (config.invitation) input.invitationToken = config.invitation;
    }
    // One idempotency key per submission: a retry of the same text (say, after a
    // dropped connection) cannot store it twice; an edited one gets a new key.
    var payload = JSON.stringify(input);
    if (payload !== lastPayload) { lastPayload = payload; idempotencyKey = randomKey(); }
    input.idempotencyKey = idempotencyKey;
    button.disabled = true;
    button.textContent = S.sending;
    gql(config.mutation, { input: input }).then(function (json) {
      if (json.errors && json.errors.length) return showErrors(json.errors);
      if (ASKING) {
        var question = json.data.askQuestion.question;
        document.getElementById("thanks").textContent = question.status === "PUBLISHED" ? S.thanks : S.thanksPending;
        // Reviews that may already answer it (BM25 over the product's reviews, chosen by the API).
        var related = document.getElementById("related");
        var list = document.getElementById("related-list");
        list.textContent = "";
        (question.relatedReviews || []).forEach(function (r) {
          var item = document.createElement("li");
          var title = document.createElement("strong");
          title.textContent = r.title;
          item.appendChild(title);
          item.appendChild(document.createTextNode(" " + r.body.slice(0, 200) + (r.body.length > 200 ? "…" : "")));
          list.appendChild(item);
        });
        related.hidden = list.children.length === 0;
        form.hidden = true;
        done.hidden = false;
        done.focus();
        post({ type: "asked", productId: config.productId, questionId: question.id, status: question.status });
        return;
      }
      var review = json.data.submitReview.review;
      // Under the shop's moderation rule the review may wait for approval (or
      // for a fraud check); say so rather than promise it is live.
      document.getElementById("thanks").textContent = (review.status === "PUBLISHED" ? S.thanks : S.thanksPending) +
        (review.provenance === "VERIFIED_PURCHASE" ? " " + S.thanksVerified : "");
      // An invitation is good for one review: no "write another" with it.
      document.getElementById("another").hidden = Boolean(config.invitation);
      form.hidden = true;
      done.hidden = false;
      done.focus();
      post({ type: "submitted", productId: config.productId, reviewId: review.id, status: review.status });
    }, function () {
      showErrors([{ extensions: {} }]);
    }).then(function () {
      button.disabled = false;
      button.textContent = S.submit;
    });
  });

  document.getElementById("another").addEventListener("click", function () {
    form.reset();
    lastPayload = null;
    done.hidden = true;
    form.hidden = false;
  });
})();
`;
