// api.js: talking to the HotCart API from the pages (same origin: the guest cookie goes along).
"use strict";

/** An error answer of the API: its message, field and code, as the contract writes them. */
class ApiError extends Error {
  constructor(status, body) {
    const message = (body && (body.message || (typeof body.detail === "string" && body.detail))) ||
      `The request failed (${status})`;
    super(message);
    this.status = status;
    this.field = body && body.field;
    this.code = body && (body.code || body.detail);
  }
}

const Api = {
  /** The signed-in user's access token (kept for every tab of this browser), or null. */
  get token() { return localStorage.getItem("hotcart.token"); },
  set token(value) {
    if (value) localStorage.setItem("hotcart.token", value); else localStorage.removeItem("hotcart.token");
  },

  /** The display currency this browser chose for carts and checkouts (every tab), or null. */
  get currency() { return localStorage.getItem("hotcart.currency"); },
  set currency(value) {
    if (value) localStorage.setItem("hotcart.currency", value); else localStorage.removeItem("hotcart.currency");
  },

  /**
   * Sends a request and answers its JSON body; an error answer is thrown as an ApiError. Requests
   * for products, the cart, checkouts and shared carts ask for the chosen display currency.
   */
  async request(method, path, { json, form, headers = {} } = {}) {
    if (this.currency && /^\/(cart|checkouts|products|shared-carts)([/?]|$)/.test(path)) {
      path += `${path.includes("?") ? "&" : "?"}currency=${encodeURIComponent(this.currency)}`;
    }
    // Never from the browser's cache: a cart answer is whoever is signed in now.
    const options = { method, headers: { ...headers }, credentials: "same-origin", cache: "no-store" };
    if (this.token) options.headers.Authorization = `Bearer ${this.token}`;
    if (json !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(json);
    } else if (form) {
      options.body = new URLSearchParams(form);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch {
      throw new ApiError(0, { message: "The server cannot be reached" });
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  },

  /**
   * Money as the API writes it (a number): with `currency` (an ISO 4217 code) and its minor units
   * (`digits`), as a shopper reads it ("¥3,028", "$59.97"); without, with two decimals.
   */
  money(amount, currency, digits) {
    if (!currency) return Number(amount).toFixed(2);
    const fraction = digits ?? undefined;
    try {
      return new Intl.NumberFormat("en-US", {
        style: "currency", currency, minimumFractionDigits: fraction, maximumFractionDigits: fraction,
      }).format(amount);
    } catch {
      return `${amount} ${currency}`;
    }
  },
};

/** Shows `error`'s message in the element `id` (next to what caused it); `null` clears it. */
function showError(id, error) {
  const element = document.getElementById(id);
  element.textContent = error ? error.message : "";
  if (error && error.field) element.dataset.field = error.field; else delete element.dataset.field;
}

/** Runs an action, showing its error in the element `errorID`; answers whether it worked. */
async function attempt(errorID, action) {
  showError(errorID, null);
  try {
    await action();
    return true;
  } catch (error) {
    showError(errorID, error);
    return false;
  }
}

/** Makes an element with text and attributes. */
function element(tag, text, attributes = {}) {
  const made = document.createElement(tag);
  if (text !== undefined && text !== null) made.textContent = text;
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  return made;
}

/** Signs in with the API's form login; answers the access token. */
async function signIn(email, password) {
  const answer = await Api.request("POST", "/auth/jwt/login", { form: { username: email, password } });
  Api.token = answer.access_token;
  return answer.access_token;
}
