/*
 * anchor.cpp — tenant-audit anchor --dsn ... --tsa URL [--day D]: closes the
 * day (tenant_guard.close_audit_day), asks the database for the DER
 * TimeStampReq, posts it to the TSA over HTTP(S) with libcurl, and stores the
 * answer (tenant_guard.anchor_store, which checks status, imprint and nonce).
 * Unreachable or overloaded TSAs are retried politely: --wait seconds
 * between attempts (public TSAs ask for 15 or more), doubling, or what
 * Retry-After says; a refusal is not retried.
 */
#include "commands.h"
#include "pg.h"

#include <curl/curl.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace tg::audit_cli {

namespace {

struct HttpAnswer {
	long status = 0;
	std::string body;
	std::string error; /* transport failure: DNS, connect, timeout */
	double retry_after = -1;
};

size_t Collect(char *data, size_t size, size_t n, void *user)
{
	static_cast<std::string *>(user)->append(data, size * n);
	return size * n;
}

HttpAnswer Post(const std::string &url, const std::string &request, double timeout)
{
	HttpAnswer answer;
	CURL *curl = curl_easy_init();
	if (!curl) {
		answer.error = "libcurl could not start";
		return answer;
	}
	curl_slist *headers = curl_slist_append(nullptr, "Content-Type: application/timestamp-query");
	headers = curl_slist_append(headers, "Accept: application/timestamp-reply");
	curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.data());
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.size()));
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout * 1000));
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "tenant-audit");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode const rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		answer.error = curl_easy_strerror(rc);
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
		curl_off_t retry = -1;
		if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
			answer.retry_after = static_cast<double>(retry);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return answer;
}

} // namespace

int RunAnchor(const AnchorOptions &o)
{
	try {
		Connection db(o.dsn);
		std::string const day = o.day.empty() ? PQgetvalue(db.Exec("SELECT to_char((now() AT TIME ZONE 'UTC')::date - 1, 'YYYY-MM-DD')").get(), 0, 0)
											  : o.day;
		Result head = db.Exec("SELECT encode(tenant_guard.close_audit_day($1::date), 'hex')", {day});
		std::cout << "day " << day << " closed, tree head " << PQgetvalue(head.get(), 0, 0) << "\n";
		if (PQntuples(db.Exec("SELECT 1 FROM tenant_guard.audit_anchor_tokens WHERE day = $1::date", {day}).get()) > 0) {
			std::cout << "day " << day << " is already anchored\n";
			return kExitOk;
		}
		double wait = o.wait_seconds;
		std::string last_error;
		for (int attempt = 0; attempt <= o.retries; attempt++) {
			if (attempt > 0) {
				std::cerr << "tenant-audit anchor: " << last_error << "; retrying in " << wait << " s\n";
				std::this_thread::sleep_for(std::chrono::duration<double>(wait));
				wait *= 2;
			}
			/* A fresh request (and nonce) per attempt: anchor_store accepts the latest only. */
			Result req = db.Exec("SELECT tenant_guard.anchor_request($1::date)", {day}, true);
			std::string const der(PQgetvalue(req.get(), 0, 0), static_cast<size_t>(PQgetlength(req.get(), 0, 0)));
			HttpAnswer const answer = Post(o.tsa, der, o.timeout_seconds);
			if (!answer.error.empty()) {
				last_error = "the TSA " + o.tsa + " is unreachable: " + answer.error;
				continue;
			}
			if (answer.status == 429 || answer.status >= 500) {
				last_error = "the TSA " + o.tsa + " answered HTTP " + std::to_string(answer.status);
				if (answer.retry_after > wait)
					wait = answer.retry_after;
				continue;
			}
			if (answer.status != 200) {
				std::cerr << "tenant-audit anchor: the TSA " << o.tsa << " refused the request with HTTP "
						  << answer.status << "\n";
				return kExitRefused;
			}
			try {
				Result stored = db.ExecBinaryParams("SELECT tenant_guard.anchor_store($1::date, $2::bytea)",
													{day, answer.body}, {false, true});
				std::cout << "day " << day << " anchored: time-stamped " << PQgetvalue(stored.get(), 0, 0) << " by "
						  << o.tsa << "\n";
				return kExitOk;
			} catch (const DbError &e) {
				std::cerr << "tenant-audit anchor: " << e.what() << "\n";
				return kExitRefused;
			}
		}
		std::cerr << "tenant-audit anchor: " << last_error << "; gave up after " << o.retries + 1
				  << " attempts (the day stays closed; run again later)\n";
		return kExitUnreachable;
	} catch (const std::exception &e) {
		std::cerr << "tenant-audit anchor: " << e.what() << "\n";
		return kExitError;
	}
}

} // namespace tg::audit_cli
