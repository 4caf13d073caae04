// Sign-in: locally a token from the local stack for a demo customer, in the cloud the token the identity
// provider's hosted sign-in hands back; and who is signed in.

import { ApiError, errorText } from "./api.js";
import { $, clearError, showError } from "./dom.js";
import { t } from "./i18n.js";
import { READ_ONLY, setReadOnly } from "./read-only.js";
import { state } from "./state.js";

// The page only reads the token's claims to show who is signed in; the API checks its signature.
function decodeClaims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "=")));
  } catch {
    return {};
  }
}

async function localSignIn(customer) {
  let response;
  try {
    response = await fetch("/local/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // Locally, ?role=read-only signs in as a customer whose licence ended.
      body: JSON.stringify(state.config.role ? { customer, role: state.config.role } : { customer }),
    });
  } catch {
    throw new ApiError(0);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data.token;
}

// In the cloud the identity provider's hosted sign-in returns to this page with a token in the fragment.
function cloudToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("id_token") || fragment.get("access_token");
  if (token) {
    sessionStorage.setItem("kluis.token", token);
    history.replaceState(null, "", location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem("kluis.token");
}

// Says whether the user is signed in now; a new sign-in stops the pollers of the previous one.
export async function signIn(customer) {
  state.session += 1;
  clearError();
  $("#signed-in").textContent = t("signin.busy");
  try {
    if (state.config.local) {
      state.token = await localSignIn(customer);
    } else {
      state.token = cloudToken();
      if (!state.token && state.config.signInUrl) {
        location.assign(state.config.signInUrl); // the identity provider returns here with a token
        return false;
      }
      if (!state.token) {
        $("#signed-in").textContent = "";
        showError(() => t("signin.missing"));
        return false;
      }
    }
  } catch (error) {
    $("#signed-in").textContent = "";
    showError(() => t("signin.failed", { message: errorText(error) }));
    return false;
  }
  // Which claims hold the customer and the role: config.json says (the stack's CustomerClaim and
  // RoleClaim); the defaults are the template's.
  const claims = decodeClaims(state.token);
  state.customer = claims[state.config.customerClaim || "custom:customer"] || customer || "";
  setReadOnly(claims[state.config.roleClaim || "custom:kluis_role"] === READ_ONLY);
  renderSignedIn();
  return true;
}

export function renderSignedIn() {
  $("#signed-in").textContent = state.customer ? t("signin.as", { customer: state.customer }) : "";
}
