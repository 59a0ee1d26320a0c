"""Korean and English for the words core itself writes: validation reasons of core.bounded, accounts.

Imported by core.errors, so these templates are registered wherever a domain error can be raised.
"""

from __future__ import annotations

from core.i18n import register_codes, register_messages

register_messages({
    # core.bounded: reasons of a value refused at the boundary (raised as core.errors.InvalidValue)
    "bounded.no_bool": ("참/거짓이 아니라 숫자를 입력해야 합니다", "a number is required, not true/false"),
    "bounded.number_too_long": ("숫자는 {limit}자 이하여야 합니다", "at most {limit} characters for a number"),
    "bounded.not_ascii_number": ("숫자가 아닙니다(0-9만 사용)", "not a number (digits 0-9 only)"),
    "bounded.not_number": ("숫자가 아닙니다", "not a number"),
    "bounded.not_finite": ("유한한 숫자여야 합니다", "must be a finite number"),
    "bounded.digits": ("숫자는 최대 {digits}자리, 소수점 아래 {places}자리입니다",
                       "at most {digits} digits, {places} after the decimal point"),
    "bounded.places": ("소수점 아래는 최대 {places}자리입니다", "at most {places} digits after the decimal point"),
    "bounded.lone_surrogate": ("잘못된 문자가 들어 있습니다", "contains an invalid character (lone surrogate)"),
    "bounded.control": ("제어 문자가 들어 있습니다", "contains a control character"),
    "bounded.too_many_digits": ("숫자의 자릿수나 지수가 너무 큽니다",
                                "the number has too many digits or too large an exponent"),
    "bounded.field": ("{reason}", "{label}: {reason}"),
    # core.auth / core.passwords
    "auth.throttled": ("로그인 실패가 너무 많습니다. {seconds:n}초 뒤에 다시 시도하세요.",
                       "too many failed logins; try again in {seconds} seconds"),
    "auth.no_user": ("해당 사용자가 없습니다.", "no user with id {user_id}"),
    "auth.no_user_named": ("그 아이디의 사용자가 없습니다.", "no user named '{username}'"),
    "auth.username_taken": ("아이디 '{username}'은(는) 이미 사용 중입니다.", "username '{username}' is taken"),
    "auth.demo_policy": ("비밀번호 규칙을 건너뛸 수 있는 것은 시연 모드의 시연 계정뿐입니다.",
                         "only demo accounts in demo mode may skip the password policy"),
    "auth.wrong_current": ("현재 비밀번호가 틀렸습니다.", "the current password is wrong"),
    "auth.same_password": ("새 비밀번호는 현재 비밀번호와 달라야 합니다.",
                           "the new password must differ from the current one"),
    "auth.self_deactivate": ("자기 계정은 비활성화할 수 없습니다.", "you cannot deactivate your own account"),
    "auth.last_admin": ("마지막 활성 관리자는 비활성화할 수 없습니다.", "the last active admin cannot be deactivated"),
    "auth.self_role": ("자기 역할은 바꿀 수 없습니다.", "you cannot change your own role"),
    "auth.last_admin_role": ("마지막 활성 관리자의 관리자 역할은 뺄 수 없습니다.",
                             "the last active admin cannot lose the admin role"),
    # core.passwords: the password policy, one message per rule
    "password.too_short": ("비밀번호는 {min_length}자 이상이어야 합니다.",
                           "the password must have at least {min_length} characters"),
    "password.too_long": ("비밀번호는 {max_length}자 이하여야 합니다.",
                          "the password must have at most {max_length} characters"),
    "password.contains_username": ("비밀번호에 아이디가 들어 있으면 안 됩니다.",
                                   "the password must not contain the username"),
    "password.too_few_characters": ("비밀번호에는 서로 다른 문자가 {distinct}개 이상 있어야 합니다.",
                                    "the password must use at least {distinct} different characters"),
    "password.sequence": ("비밀번호가 자판, 알파벳 또는 숫자를 차례로 누른 것이어서는 안 됩니다.",
                          "the password must not be a run of keyboard, alphabet or digit keys"),
    "password.repeated": ("비밀번호가 짧은 조각을 되풀이한 것이어서는 안 됩니다.",
                          "the password must not be one short piece repeated"),
    "password.common": ("흔히 쓰이는 비밀번호 목록에 있는 비밀번호입니다.",
                        "the password is in the list of common passwords"),
    "password.system_words": ("비밀번호가 이 시스템의 단어(시연, 관리자 등)로만 이루어져서는 안 됩니다.",
                              "the password must not be made of this system's own words (demo, admin, …)"),
    "auth.busy": ("서버가 다른 비밀번호를 확인하느라 바쁩니다. 잠시 후 다시 시도하세요.",
                  "the server is busy checking other passwords; try again in a moment"),
})

register_codes("role", {
    "admin": ("관리자", "Administrator"),
    "official": ("사업 담당 공무원", "Ministry official"),
    "evaluator": ("평가위원", "Evaluator"),
    "auditor": ("감사 담당자", "Auditor"),
})


# --- the command line: Korean unless `--lang en` or an English locale (LANG=en_US.UTF-8) asks for English
register_messages({
    "cli.error": ("오류: {message}", "error: {message}"),
    "cli.interrupted": ("중단되었습니다", "interrupted"),
    "cli.already_seeded": ("데이터베이스에 이미 사업이 있어 초기 자료를 넣지 않았습니다(처음부터 다시: --reset).",
                           "the database already holds a programme; nothing seeded (use --reset to start over)"),
    "cli.reset": ("데이터베이스 초기화: 모든 표를 지웠습니다", "database reset: all tables dropped"),
    "cli.starting": ("\n  보조금 사업 관리 시스템을 시작합니다", "\n  Grant programme system is starting"),
    "cli.password_set": ("'{username}'의 새 비밀번호를 설정했습니다. 이 계정의 로그인 세션은 모두 끝났습니다.",
                         "new password set for '{username}'; its sessions are revoked"),
    "cli.activated": ("'{username}' 계정을 다시 활성화했습니다.", "'{username}' is active"),
    "cli.deactivated": ("'{username}' 계정을 비활성화했습니다. 이 계정의 로그인 세션은 모두 끝났습니다.",
                        "'{username}' is deactivated; its sessions are revoked"),
    "cli.database": ("오류: 데이터베이스에 연결하거나 사용할 수 없습니다: {reason}",
                     "error: the database cannot be reached or used: {reason}"),
    "cli.unexpected": ("오류: {kind}: {reason} (자세한 내용은 --traceback 옵션으로 실행)",
                       "error: {kind}: {reason} (run with --traceback for details)"),
})


def cli_lang(explicit: str | None = None) -> str:
    """The language of command-line output: `--lang` if given, else English for an English locale, else Korean."""
    import os

    if explicit in ("ko", "en"):
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "ko"
    return "ko"


# --- the command line's reports (main.py, core/audit_cli.py); table names, paths and URLs stay as they are
register_messages({
    "cli.migrated": ("데이터베이스({url})의 스키마가 최신입니다", "database at {url} is at the newest schema"),
    "cli.seeded": ("초기 자료를 넣었습니다: 규모 {scale}, 시드 {seed}", "seeded scale={scale} seed={seed}"),
    "cli.checkpoints_aside": ("지운 감사 기록의 체크포인트는 {path}에 따로 보관했습니다",
                              "checkpoints of the wiped log kept aside in {path}"),
    "cli.refusing": ("시작을 거부합니다: {reason}", "refusing to start: {reason}"),
    "cli.seeding_empty": ("빈 데이터베이스: 초기 자료를 넣습니다(규모 {scale}, 시드 {seed}) …",
                          "empty database: seeding the {scale} scale (seed {seed}) …"),
    "cli.serve_dashboard": ("  대시보드         {url}", "  dashboard        {url}"),
    "cli.serve_jobs": ("  공개 채용 게시판  {url}   (API: {api})", "  public job board {url}   (API: {api})"),
    "cli.serve_docs": ("  API 문서         {url}", "  API docs         {url}"),
    "cli.serve_health": ("  상태 확인        {url}", "  health           {url}"),
    "cli.demo_mode": ("\n  시연 모드: 시연 계정(운영 환경에서는 쓰지 마세요)",
                      "\n  DEMO MODE: demo accounts (do not use in production)"),
    "cli.demo_created": ("  (지금 {count}개 만들었습니다)", "  ({count} created now)"),
    "cli.worker_embedded": ("  작업 처리기       시작함(내장 대기열: {path})",
                            "  job worker       started (embedded queue in {path})"),
    "cli.worker_distributed": ("  작업 처리기       시작함(분산 대기열)",
                               "  job worker       started (distributed queue)"),
    "cli.user_created": ("사용자 '{username}'을(를) 역할 {role}(으)로 만들었습니다",
                         "created user '{username}' with role {role}"),
    "cli.user_linked": (", 평가위원 프로필 {code}에 연결했습니다"
                        "(담당 공무원이 배정하기 전에는 어느 평가위원회에도 없음)",
                        ", linked to evaluator profile {code} (on no panel until an official seats it)"),
    "cli.exported": ("{standard} 내보내기({chars}자)를 {path}에 썼습니다",
                     "wrote the {standard} export ({chars} characters) to {path}"),
    "cli.link_needs_evaluator": ("--link-evaluator는 평가위원 역할(--role)로 만들 때만 쓸 수 있습니다",
                                 "--link-evaluator needs --role evaluator"),
    # core/audit_cli.py
    "cli.chain_intact": ("감사 체인 이상 없음: 이벤트 {checked}건 확인, 마지막 해시 {last_hash}",
                         "audit chain intact: {checked} events checked; last hash {last_hash}"),
    "cli.chain_broken": ("감사 체인 손상: 이벤트 {event}에서 {problem} (그 앞 이벤트 {checked}건은 확인됨)",
                         "audit chain BROKEN at event {event}: {problem} ({checked} events verified before it)"),
    "cli.guarded_rows": ("보호 대상 행: 표 {tables}개에 {rows}행, 문제 {problems}건",
                         "guarded rows: {rows} in {tables} tables, {problems} problem(s)"),
    "cli.more_findings": ("  … 그 밖에 {count}건 더(더 보려면 --limit)", "  … and {count} more (--limit to show more)"),
    "cli.hint": ("  참고: {hint}", "  hint: {hint}"),
    "cli.checkpoint_line": ("  {line}행: {detail}", "  line {line}: {detail}"),
    "cli.history_intact": ("기록 이상 없음 ({seconds}초)", "history intact ({seconds} s)"),
    "cli.history_broken": ("기록 손상 ({seconds}초)", "history BROKEN ({seconds} s)"),
    "cli.checkpoint_appended": ("{footer}\n{path}에 덧붙였습니다", "{footer}\nappended to {path}"),
    "cli.rebaseline_needs": ("추가된 열(--added 표.열)을 적거나 --adopt를 주세요",
                             "name the added columns (--added TABLE.COLUMN) or give --adopt"),
    "cli.rebaseline_refused": ("재기준 거부: 추가된 열 말고도 기록 검증이 맞지 않습니다. 아무것도 쓰지 않았습니다",
                               "rebaseline refused: the history does not verify apart from the added columns; "
                               "nothing written"),
    "cli.rebaseline_rows": ("  {table} {rows}행 다시 기록", "  {table} {rows} rows re-recorded"),
    "cli.rebaseline_written": ("재기준 기록: 이벤트 {count}건 {first}…{last}",
                               "rebaseline written: {count} event(s) {first}…{last}"),
    "cli.keygen_wrote": ("{path}에 키를 썼습니다(권한 600); 키 ID {key_id}",
                         "wrote {path} (mode 600); key id {key_id}"),
})

# --- long commands run as jobs (main.py, core/audit_cli.py; issue 14)
register_messages({
    "cli.job_done": ("작업 {id}번을 마쳤습니다", "job {id} done"),
    "cli.job_ended": ("작업 {id}번: {status} — {message}", "job {id}: {status} — {message}"),
    "cli.job_wrote": ("작업 {id}번의 파일을 {path}에 썼습니다({size}바이트)",
                      "wrote the file of job {id} to {path} ({size} bytes)"),
    "cli.seed_partial": ("초기 자료를 끝까지 넣지 못해 데이터베이스에 일부만 들어 있습니다. "
                         "다시 넣으려면 다음을 실행하세요: {command}",
                         "the seed did not finish and the database holds part of it; run {command}"),
    "cli.job_needs_store": ("--job은 --store와 함께만 쓸 수 있습니다(전체 점검 작업)",
                            "--job needs --store (a full compliance run job)"),
    "cli.no_directory": ("{path} 폴더가 없습니다", "directory {path} does not exist"),
    "cli.check_stored": ("점검 결과 저장: 사업 {pid}, 기준일 {as_of}, 지적 {total}건",
                         "stored findings: programme {pid} as of {as_of}, {total} finding(s)"),
    "cli.decision_needs_call_type": ("선정 심의 자료에는 --call-type({choices} 중 하나)이 필요합니다",
                                     "report decision needs --call-type (one of {choices})"),
})


# --- H10: core.uploads, the checks of a received spreadsheet file (issue 13)
register_messages({
    "upload.not_multipart": ("파일을 다중 파트 양식의 '{name}' 항목에 담아 보내야 합니다.",
                             "send the file as multipart/form-data in the field '{name}'"),
    "upload.bad_multipart": ("보낸 양식을 읽을 수 없습니다.",
                             "the multipart form could not be read: {reason}"),
    "upload.no_file": ("'{name}' 항목에 파일이 없습니다.", "no file in the field '{name}'"),
    "upload.too_slow": ("{filename} 파일을 읽는 데 {seconds}초보다 오래 걸립니다. 더 작은 파일로 나누세요.",
                        "{filename} took longer than {seconds} s to read; split it into smaller files"),
    "upload.not_spreadsheet": ("'{filename}'은(는) .csv 파일도 .xlsx 파일도 아닙니다.",
                               "'{filename}' is neither a .csv nor an .xlsx file"),
    "upload.too_wide_row": ("{filename}: {row}행에 {columns}번째 열 뒤에도 값이 있습니다. "
                            "열은 {columns}개까지만 읽습니다.",
                            "{filename}: row {row} has values beyond column {columns}; at most {columns} columns "
                            "are read"),
    "upload.too_many_columns": ("열이 {columns}개보다 많습니다", "more than {columns} columns"),
    "upload.too_many_rows": ("{filename}의 행이 {rows:n}개보다 많습니다. 파일 하나에 {rows:n}행까지입니다.",
                             "{filename} has more than {rows:n} rows; at most {rows:n} per file"),
    "upload.binary_csv": ("{filename}은(는) 텍스트 CSV 파일이 아닙니다(이진 내용).",
                          "{filename} is not a text CSV file (binary content)"),
    "upload.encoding": ("{filename}은(는) UTF-8 또는 한글 완성형 인코딩의 텍스트가 아닙니다.",
                        "{filename} is neither UTF-8 nor CP949 text"),
    "upload.bad_csv": ("{filename}은(는) 읽을 수 있는 CSV 파일이 아닙니다.",
                       "{filename} is not a readable CSV file: {reason}"),
    "upload.not_zip": ("{filename}은(는) 읽을 수 있는 엑셀(xlsx) 통합 문서가 아닙니다(압축 파일이 아님).",
                       "{filename} is not a readable Excel (.xlsx) workbook (not a zip file)"),
    "upload.too_many_parts": ("{filename}에 구성 요소가 {parts:n}개 있습니다. 엑셀 통합 문서는 훨씬 적습니다.",
                              "{filename} holds {parts:n} parts; an Excel workbook has far fewer"),
    "upload.unpacks_too_large": ("{filename}의 압축을 풀면 {total:n}바이트입니다. {limit:n}바이트까지만 읽습니다"
                                 "(압축 폭탄이거나 나누어야 할 통합 문서).",
                                 "{filename} unpacks to {total:n} bytes; at most {limit:n} are read "
                                 "(a compressed 'zip bomb' or a workbook to split)"),
    "upload.zip_bomb": ("{filename}: 구성 요소 {part}의 압축률이 {ratio:n}대 1입니다. "
                        "{limit}대 1을 넘으면 받지 않습니다(압축 폭탄).",
                        "{filename}: part {part} is compressed {ratio:n} to 1; more than {limit} to 1 is refused "
                        "(a 'zip bomb')"),
    "upload.encrypted": ("{filename}은(는) 암호가 걸려 있습니다. 암호 없이 저장하세요.",
                         "{filename} is encrypted; save it without a password"),
    "upload.no_sheet": ("{filename}에 워크시트가 없습니다.", "{filename} has no worksheet"),
    "upload.bad_xml": ("{filename}: 구성 요소 {part}의 {line}번째 줄이 잘못된 형식입니다.",
                       "{filename}: part {part} is malformed XML ({reason} at line {line})"),
    "upload.cannot_unpack": ("{filename}: 구성 요소 {part}의 압축을 풀 수 없습니다.",
                             "{filename}: part {part} cannot be unpacked ({reason})"),
    "upload.declared_columns": ("{filename}: 시트에 열이 {declared:n}개로 선언되어 있습니다. "
                                "열은 {columns}개까지만 읽습니다.",
                                "{filename}: the sheet declares {declared:n} columns; at most {columns} are read"),
    "upload.too_many_cells": ("{filename}의 칸이 {cells:n}개보다 많습니다. {cells:n}칸까지만 읽습니다.",
                              "{filename} has more than {cells:n} cells; at most {cells:n} are read"),
})


# --- core.audit / core.checkpoint: what `audit verify` (the command, GET /audit/verify, SYS-01) finds (issue 13).
# The English templates reproduce the texts the JSON's `detail`, `problem`, `summary` and `hints` have always held.
register_codes("audit.finding_kind", {
    "edited": ("수정됨", "edited"),
    "deleted": ("삭제됨", "deleted"),
    "inserted": ("추가됨", "inserted"),
    "store": ("기록 저장소", "store"),
    "chain": ("해시 체인", "chain"),
    "checkpoint": ("체크포인트", "checkpoint"),
})

register_messages({
    "audit.where.row": ("{table} {row}번 행", "{table} {row}"),
    "audit.where.log": ("감사 기록", "log"),
    # the hash chain
    "audit.chain.link_broken": ("이전 해시와의 연결이 끊어졌습니다(그 앞의 이벤트가 바뀌었거나 지워짐)",
                                "previous-hash link broken (an event before it was changed or deleted)"),
    "audit.chain.hash_mismatch": ("내용이 저장된 해시와 맞지 않습니다(수정됨)",
                                  "content does not match its hash (edited)"),
    "audit.chain.no_head": ("감사 기록의 마지막 상태 행이 없습니다", "audit head row missing"),
    "audit.chain.head_mismatch": ("체인은 {last_event}번 이벤트(이벤트 {checked:n}건)에서 끝나는데 마지막 상태 행에는 "
                                  "{head_event}번 이벤트(이벤트 {head_count:n}건)가 적혀 있습니다: 최근 이벤트가 "
                                  "지워졌거나 상태 행이 수정됨",
                                  "chain ends at event {last_event} ({checked} events) but the head records event "
                                  "{head_event} ({head_count} events): newest events deleted or head edited"),
    # the guarded rows
    "audit.finding.edited_unread": ("{event}번 이벤트가 기록한 내용과 다릅니다",
                                    "content differs from what event {event} recorded"),
    "audit.finding.edited": ("{changes} ({event}번 이벤트의 기록과 비교)", "{changes} (recorded by event {event})"),
    "audit.finding.differs": ("{event}번 이벤트가 기록한 내용과 다릅니다", "content differs"),
    "audit.change.value": ("{column}: 기록 {recorded!r}, 현재 {now!r}", "{column}: recorded {recorded!r}, now {now!r}"),
    "audit.change.now": ("{column}: 현재 {now!r}", "{column}: now {now!r}"),
    "audit.change.secret": ("{column} 값이 바뀜", "{column} changed"),
    "audit.change.added": ("기록 뒤에 생긴 열 {column}", "column {column} added since recorded"),
    "audit.change.removed": ("기록 뒤에 없어진 열 {column}", "column {column} removed since recorded"),
    "audit.change.unknown": ("내용이 다릅니다(어느 항목인지 알 수 없음)", "content differs (field not identified)"),
    "audit.finding.deleted": ("시스템을 거치지 않고 지워졌습니다(마지막 기록: {event}번 이벤트)",
                              "deleted outside the application (last recorded by event {event})"),
    "audit.finding.reinserted": ("{event}번 이벤트가 삭제를 기록한 뒤 시스템을 거치지 않고 다시 들어왔습니다",
                                 "re-inserted outside the application after event {event} recorded its deletion"),
    "audit.finding.inserted": ("시스템을 거치지 않고 들어왔습니다(이 행을 기록한 이벤트가 없음)",
                               "inserted outside the application (no event covers it)"),
    "audit.finding.store_orphan": ("행 기록 저장소에 {event}번 이벤트의 요약값이 {count:n}개 있으나 "
                                   "그 이벤트는 행을 기록하는 이벤트가 아닙니다",
                                   "audit_row holds {count} digest(s) for event {event}, which is not a covering "
                                   "event of the log"),
    "audit.finding.store_root": ("{event}번 이벤트의 저장된 요약값({entries:n}개)으로 머클 루트({rows}행)를 다시 "
                                 "만들 수 없습니다: 행 기록 저장소의 요약값이 수정·삭제·추가됨",
                                 "the stored digests of event {event} ({entries} entries) do not reproduce its "
                                 "Merkle root ({rows} rows): digests edited, deleted or inserted in audit_row"),
    "audit.hint.rebaseline": ("{table}에 감사 기록이 모르는 열({columns})이 있습니다. 그 열을 추가한 스키마 변경 "
                              "뒤라면 `{command}`을 실행하세요",
                              "{table} has column(s) the log has not seen ({columns}): after a migration that "
                              "added them, run `{command}`"),
    # the whole verification, in one line
    "audit.summary.intact": ("기록 이상 없음: 이벤트 {events:n}건, 보호 대상 행 {rows:n}행(표 {tables}개)이 감사 "
                             "기록과 일치합니다",
                             "history intact: {events} events, {rows:n} guarded rows in {tables} tables match the "
                             "log"),
    "audit.summary.intact_checkpoints": ("기록 이상 없음: 이벤트 {events:n}건, 보호 대상 행 {rows:n}행"
                                         "(표 {tables}개)이 감사 기록과 일치합니다; {checkpoints}",
                                         "history intact: {events} events, {rows:n} guarded rows in {tables} tables "
                                         "match the log; {checkpoints}"),
    "audit.summary.broken": ("기록 손상: {parts}", "history BROKEN: {parts}"),
    "audit.summary.chain": ("{event}번 이벤트에서 체인이 끊어짐: {problem}",
                            "chain broken at event {event}: {problem}"),
    "audit.summary.rows": ("행 문제 {count:n}건", "{count} row problem(s)"),
    # signed checkpoints (core.checkpoint)
    "audit.checkpoint.label": ("체크포인트 #{seq}({line}행, 이벤트 {events:n}건, {time})",
                               "checkpoint #{seq} (line {line}, {events} events, {time})"),
    "audit.checkpoint.unreadable": ("체크포인트 형식이 아닙니다", "not a checkpoint ({error})"),
    "audit.checkpoint.unsigned": ("{label}: 감사 키 {key}의 서명이 아니어서 받지 않습니다",
                                  "{label} is not signed by the audit key {key}: refused"),
    "audit.checkpoint.unsigned_other": ("{label}: 감사 키 {key}의 서명이 아니어서 받지 않습니다(적힌 키: {named})",
                                        "{label} is not signed by the audit key {key} (it names key {named}): refused"),
    "audit.checkpoint.not_following": ("{label}: 바로 앞 줄에 이어지지 않습니다. 체크포인트 줄이 지워졌거나 "
                                       "끼워 넣어졌거나 순서가 바뀜",
                                       "{label} does not follow the line before it: checkpoint lines were removed, "
                                       "inserted or reordered"),
    "audit.checkpoint.fewer": ("{label}: 앞선 체크포인트보다 이벤트 수가 적습니다",
                               "{label} has fewer events than an earlier one"),
    "audit.checkpoint.broken": ("{label}과 맞지 않습니다: 감사 기록이 {event}번 이벤트({position}번째)에서 "
                                "끊어짐 — {problem}",
                                "{label} is contradicted: the log is broken at event {event} (position {position}) "
                                "— {problem}"),
    "audit.checkpoint.wiped": ("{label}과 맞지 않습니다: 감사 기록에 지금 이벤트가 {checked}건뿐입니다 — 기록이 지워짐",
                               "{label} is contradicted: the log now holds only {checked} event(s) — wiped"),
    "audit.checkpoint.truncated": ("{label}과 맞지 않습니다: 감사 기록에 지금 이벤트가 {checked:n}건뿐입니다 — "
                                   "끝부분이 잘려 나감",
                                   "{label} is contradicted: the log now holds only {checked} event(s) — its tail "
                                   "was truncated"),
    "audit.checkpoint.rewritten": ("{label}과 맞지 않습니다: {position}번째인 {event}번 이벤트의 해시는 {have}…인데 "
                                   "체크포인트가 서명한 해시는 {signed}…입니다 — 그 앞의 기록이 다시 쓰임",
                                   "{label} is contradicted: event {event} at position {position} has hash "
                                   "{have}…, the checkpoint signed {signed}… — history before it was rewritten"),
    "audit.checkpoint.all_extended": ("감사 기록이 {path}의 체크포인트 {checked}개를 모두 이어 갑니다",
                                      "the log extends all {checked} checkpoint(s) of {path}"),
    "audit.checkpoint.all_extended_newest": ("감사 기록이 {path}의 체크포인트 {checked}개를 모두 이어 갑니다"
                                             "(가장 최근: {newest})",
                                             "the log extends all {checked} checkpoint(s) of {path}; newest {newest}"),
    "audit.checkpoint.first_contradicted": ("처음으로 맞지 않는 체크포인트: {line}행: {detail}",
                                            "first checkpoint contradicted: line {line}: {detail}"),
})

# --- main.py create-user / set-password: prompts, and a refused input named by its field (the API's 422 reasons)
register_messages({
    "cli.prompt_password": ("비밀번호: ", "password: "),
    "cli.prompt_new_password": ("새 비밀번호: ", "new password: "),
    "cli.invalid_input": ("입력이 올바르지 않아 아무것도 바꾸지 않았습니다: {problems}",
                          "invalid input, nothing changed: {problems}"),
    "cli.invalid_field": ("{field}: {reason}", "{field}: {reason}"),
    "cli.field.username": ("아이디", "username"),
    "cli.field.password": ("비밀번호", "password"),
    "cli.field.full_name": ("이름", "full name"),
    "cli.field.role": ("역할", "role"),
    "cli.field.email": ("전자우편", "email"),
})

# --- core.checkpoint: the signing key and the checkpoint file (`str()` of the errors is the English one)
register_messages({
    "audit.key.missing": ("감사 서명 키 {path}가 없어 시작하지 않습니다. `{command}`로 만들거나 {setting} 설정에 "
                          "키 파일을 지정하세요",
                          "the audit signing key {path} does not exist: create it with `{command}` (or set "
                          "{setting}); refusing to start"),
    "audit.key.readable": ("감사 서명 키 {path}를 다른 사용자도 읽을 수 있어(권한 {mode}) 시작하지 않습니다. "
                           "`{command}`로 권한을 줄이세요",
                           "the audit signing key {path} can be read by others (mode {mode}); {command} it; "
                           "refusing to start"),
    "audit.key.not_ed25519": ("{path}는 감사 서명용 개인 키({algorithm})가 아닙니다",
                              "{path} is not an {algorithm} private key"),
    "audit.key.not_ed25519_public": ("{path}에 감사 서명 확인용 키({algorithm})가 없습니다",
                                     "{path} does not hold an {algorithm} key"),
    "audit.key.exists": ("{path}가 이미 있습니다. 새 키를 만들면 지금까지의 체크포인트를 모두 확인할 수 없게 됩니다",
                         "{path} exists; a new key would make every earlier checkpoint unverifiable"),
    "audit.key.no_checkpoint_file": ("체크포인트 파일 {path}가 없습니다", "checkpoint file {path} does not exist"),
})

register_messages({
    "audit.rebaseline.no_reason": ("재기준 기록에는 사유(--reason)가 필요합니다", "a rebaseline needs a reason"),
    "audit.rebaseline.bad_column": ("'{item}'은(는) 보호 대상 표의 '표.열'이 아닙니다(보호 대상 표: {tables})",
                                    "'{item}' is not TABLE.COLUMN of a guarded table ({tables})"),
})
