// The books preview of a restore (details.books of the job, kluis.books.summary): what restoring the
// backup does to the books, in words for a bookkeeper. The differences first (journals, VAT returns,
// account balances), then the warnings; a backup that changes nothing says so, and a restore into an
// empty administration/year says what it will hold. Every text is in i18n/*.json ("books.*"); a warning
// is shown by its code ("books.newer_entries_lost"), with its parameters.

import { formatAmount, formatDate, formatDay, formatNumber, hasText, t } from "./i18n.js";

function item(text, className = "") {
  const li = document.createElement("li");
  if (className) li.className = className;
  li.textContent = text;
  return li;
}

function vatStatus(status) {
  if (status === null || status === undefined) return t("books.vat.status.none");
  return hasText(`books.vat.status.${status}`) ? t(`books.vat.status.${status}`) : status;
}

function journalText(journal) {
  const text = t("books.journal", {
    journal: journal.journal,
    backup: formatNumber(journal.backupEntries),
    live: formatNumber(journal.liveEntries),
  });
  if (!journal.lostEntries) return text;
  const lost = journal.lostAfter
    ? t("books.journal.lost", { count: formatNumber(journal.lostEntries), after: formatDay(journal.lostAfter) })
    : t("books.journal.lostAll", { count: formatNumber(journal.lostEntries) });
  return `${text} ${lost}`;
}

function differences(books) {
  const rows = [];
  const backup = books.backup || {};
  const live = books.live || {};
  rows.push(
    item(
      t("books.totals", {
        backup: formatNumber(backup.entries),
        live: formatNumber(live.entries),
        backupLast: backup.lastEntryDate ? formatDay(backup.lastEntryDate) : t("books.noEntries"),
        liveLast: live.lastEntryDate ? formatDay(live.lastEntryDate) : t("books.noEntries"),
      }),
    ),
  );
  for (const journal of books.journals || []) rows.push(item(journalText(journal)));
  const moreJournals = (books.journalsDiffering || 0) - (books.journals || []).length;
  if (moreJournals > 0) rows.push(item(t("books.more.journals", { count: formatNumber(moreJournals) })));
  for (const vat of books.vatReturns || []) {
    rows.push(
      item(t("books.vat", { period: vat.period, live: vatStatus(vat.liveStatus), backup: vatStatus(vat.backupStatus) })),
    );
  }
  for (const account of books.accounts || []) {
    rows.push(
      item(
        t("books.account", {
          account: account.name ? `${account.account} ${account.name}` : account.account,
          backup: formatAmount(account.backupBalance),
          live: formatAmount(account.liveBalance),
          change: formatAmount(account.change, { sign: true }),
        }),
      ),
    );
  }
  const moreAccounts = (books.accountsDiffering || 0) - (books.accounts || []).length;
  if (moreAccounts > 0) rows.push(item(t("books.more.accounts", { count: formatNumber(moreAccounts) })));
  return rows;
}

function warningText(warning) {
  const params = { ...(warning.params || {}) };
  if (params.entries !== undefined) params.entries = formatNumber(params.entries);
  if (params.records !== undefined) params.records = formatNumber(params.records);
  if (params.returns !== undefined) params.returns = formatNumber(params.returns);
  if (params.periods !== undefined) params.periods = String(params.periods).split(",").join(", ");
  let key = warning.code;
  if (key === "books.newer_entries_lost" && !params.after) key = "books.newer_entries_lost.noDate";
  if (params.after) params.after = formatDay(params.after);
  return hasText(key) ? t(key, params) : warning.code;
}

function warnings(job, books) {
  const summary = job.details?.summary || {};
  const rows = (books.warnings || []).map((warning) => item(warningText(warning), "books-warning"));
  // An older backup over newer data: said even when the entries themselves do not differ.
  const created = Date.parse(summary.backupCreatedAt || "");
  const liveSince = Date.parse(summary.currentLiveSince || "");
  if (books.live && !Number.isNaN(created) && !Number.isNaN(liveSince) && created < liveSince) {
    rows.push(
      item(
        t("books.olderBackup", { created: formatDate(summary.backupCreatedAt), live: formatDate(summary.currentLiveSince) }),
        "books-warning",
      ),
    );
  }
  if (summary.transfer) {
    rows.push(item(t("books.transfer", { source: summary.sourceCustomer ?? "—" }), "books-warning"));
  }
  return rows;
}

function identical(books) {
  return books.live && !books.journalsDiffering && !books.accountsDiffering && !books.vatReturnsDiffering;
}

// Fills #books-preview from the job; hidden when the job has no preview.
export function renderBooks(job) {
  const section = document.querySelector("#books-preview");
  if (!section) return;
  const books = job?.details?.books;
  section.hidden = !books;
  if (!books) return;
  const backup = books.backup || {};
  const verdict = document.querySelector("#books-verdict");
  const list = document.querySelector("#books-differences");
  if (!books.live) {
    verdict.textContent = t("books.empty", {
      entries: formatNumber(backup.entries),
      journals: formatNumber((backup.journals || []).length + (backup.journalsOmitted || 0)),
      last: backup.lastEntryDate ? formatDay(backup.lastEntryDate) : t("books.noEntries"),
    });
    list.replaceChildren(
      ...(backup.journals || []).map((journal) =>
        item(t("books.journal.only", { journal: journal.journal, count: formatNumber(journal.entries) })),
      ),
    );
  } else if (identical(books)) {
    verdict.textContent = t("books.identical", {
      entries: formatNumber(backup.entries),
      debit: formatAmount(backup.debit),
    });
    list.replaceChildren();
  } else {
    verdict.textContent = t("books.differs");
    list.replaceChildren(...differences(books));
  }
  list.hidden = list.childElementCount === 0;
  const warned = warnings(job, books);
  const warningList = document.querySelector("#books-warnings");
  warningList.replaceChildren(...warned);
  document.querySelector("#books-warnings-block").hidden = warned.length === 0;
}
