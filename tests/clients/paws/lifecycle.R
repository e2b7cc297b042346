# The access-key lifecycle through paws, the R SDK, against a running keygate: a user and its
# key, Inactive and back, listed, deleted, a typed error, STS GetCallerIdentity. Environment:
# KEYGATE_URL, ROOT_KEY_ID, ROOT_SECRET, ACCOUNT_ID, R_LIBS_USER (where paws is installed).
# Prints one JSON line of what it saw; stops with an error on the first expectation that fails.
env <- function(k) {
  v <- Sys.getenv(k)
  if (v == "") stop(k, " is not set")
  v
}
expect <- function(ok, what) if (!isTRUE(ok)) stop("expectation failed: ", what)
recent <- function(d) inherits(d, "POSIXct") && abs(as.numeric(difftime(Sys.time(), d, units = "secs"))) < 600

cfg <- list(
  credentials = list(creds = list(access_key_id = env("ROOT_KEY_ID"), secret_access_key = env("ROOT_SECRET"))),
  endpoint = env("KEYGATE_URL"), region = "us-east-1")
iam <- paws.security.identity::iam(config = cfg)
sts <- paws.security.identity::sts(config = cfg)
account <- env("ACCOUNT_ID")

user <- iam$create_user(UserName = "alice", Path = "/team/")$User
expect(user$UserName == "alice" && user$Path == "/team/", "create_user's name and path")
expect(user$Arn == sprintf("arn:aws:iam::%s:user/team/alice", account), paste("the user's ARN:", user$Arn))
expect(grepl("^AIDA[A-Z0-9]{17}$", user$UserId) && recent(user$CreateDate), "create_user's id and date")

key <- iam$create_access_key(UserName = "alice")$AccessKey
expect(grepl("^AKIA[A-Z0-9]{16}$", key$AccessKeyId) && key$UserName == "alice", "create_access_key's id")
expect(nchar(key$SecretAccessKey) == 40 && key$Status == "Active" && recent(key$CreateDate),
       "the new key's secret, status and date")

status <- function() vapply(iam$list_access_keys(UserName = "alice")$AccessKeyMetadata, function(k) k$Status, "")
iam$update_access_key(UserName = "alice", AccessKeyId = key$AccessKeyId, Status = "Inactive")
expect(identical(status(), "Inactive"), "the key is Inactive")
iam$update_access_key(UserName = "alice", AccessKeyId = key$AccessKeyId, Status = "Active")
listed <- iam$list_access_keys(UserName = "alice")$AccessKeyMetadata
expect(length(listed) == 1 && listed[[1]]$Status == "Active" && listed[[1]]$AccessKeyId == key$AccessKeyId,
       "list_access_keys shows the key Active again")
expect(recent(listed[[1]]$CreateDate), "list_access_keys's CreateDate")

missing <- tryCatch(iam$get_user(UserName = "nobody"), error = function(e) e)
expect(inherits(missing, "paws_error"), "get_user nobody fails")
expect(missing$error_response$Code == "NoSuchEntity" && missing$status_code == 404,
       paste("its code and status:", missing$error_response$Code, missing$status_code))

iam$delete_access_key(UserName = "alice", AccessKeyId = key$AccessKeyId)
expect(length(iam$list_access_keys(UserName = "alice")$AccessKeyMetadata) == 0, "the key is gone")
iam$delete_user(UserName = "alice")

me <- sts$get_caller_identity()
expect(me$Account == account && me$Arn == sprintf("arn:aws:iam::%s:root", account),
       paste("get_caller_identity:", me$Arn))

cat(jsonlite::toJSON(list(deletedKey = key$AccessKeyId, paws = as.character(packageVersion("paws.common"))),
                     auto_unbox = TRUE), "\n")
