package spec

// lexicon is Polytomic's vocabulary as agents and people use it, mapped onto
// the words the API description uses. Each line is
//
//	trigger | trigger ... => expansion words  @intents
//
// Triggers are lower-case word sequences matched on the query's words (so
// list inflections explicitly: matching is exact, which keeps "fire" the
// verb apart from "fires" the schedule). A leading "^" anchors a trigger at
// the start of the query, where the imperative verb sits. Expansion words go
// through the same stemming as the index. Intents steer the method and the
// shape of the answer:
//
//	@create @update @delete @read  which HTTP method the task implies
//	@post                          an action endpoint (start, cancel, …)
//	@item @list                    one resource, or a collection
//	@on @off                       switch something on, or off
//	@plain                         none: the phrase only stops its words'
//	                               other readings ("every night" is no list)
//
// Keep entries general: they describe the domain, not particular queries.
// States ("paused", "disabled") are not listed with the actions that reach
// them: "resume a paused webhook" asks to enable it.
const lexicon = `
# products
reverse etl | reverse-etl | retl | reverse etl job | reverse etl jobs | sync job | sync jobs | model sync | model syncs | modelsync | operational sync | activation sync | syncs to crm => model sync
elt | etl | replication | replications | replicate | replicating | replicated | bulk | bulk sync | bulk syncs | bulksync | ingest | ingestion | ingesting | data pipeline | mirror | mirroring | raw data | raw tables | elt job | elt jobs | etl job | etl jobs | replication job | replication jobs => bulk sync
copy | copies | copying | copied | raw copy | raw copies | warehouse copy | warehouse copies | copy job | copy jobs | warehouse load | warehouse loads | load job | load jobs => bulk sync
own copy | a copy of | copy of => share shared connection
push | pushes | pushing | writeback | write back | write-back | activation | activations => model sync
landing spot | landing zone | landing place | landing | lands in | land in => target
callback | callbacks | http callback | http callbacks | event callback | event callbacks | event notifications | notify our endpoint => webhook
log in | log into | logs in | logging in | log on | sign in | sign into | signs in => user login
unique key | unique keys | natural key | dedupe key | dedup key | uniqueness => primary key
permission level | access level | permission levels | access levels => role
run time | run times | timing | timings => schedule
dataset | datasets | data set | data sets | saved query | saved queries | query definition | segment | segments | audience | audiences => model
table | tables | object | objects | stream | streams => schema
column | columns | attribute | attributes | property | properties => field
custom field | custom fields | user-defined field | user defined field | computed field | derived field | added field => schema field user defined
# a pipeline is a sync of either family: its qualifiers say which
pipeline | pipelines => sync
integration | integrations | connector | connectors | data source | data sources | datasource | database | databases | warehouse | warehouses | credential | credentials | app | apps => connection
connector types | connection types | integration types | kinds of connection | supported integrations | supported connectors | available connectors | apps and databases | can we connect | can we plug in | plug in | which connectors => connection type types
destination | destinations | target | targets | writable | write to | writes to | push to | sink => target
run | runs | execution | executions | job run | job runs | history | run history | past runs | recent runs | last runs | last run | attempts => execution
kick off | kicks off | trigger | triggers | fire | run now | right now | manually | on demand | start | starts | rerun | re-run | execute | run it => start execution @post
resync | full resync | rebuild | rebuilds | backfill | from scratch | full refresh | resync mode => resync start
pause | pauses | deactivate | disable | turn off | suspend | stop scheduling | switch off | mute | silence => activate disable @post @off
resume | reactivate | re-enable | reenable | unpause | turn on | turn back on | switch back on | enable | back on | switch on | activate | unmute => activate enable @post @on
^run | ^rerun | ^re-run => start execution @post
cancel | cancels | abort | kill | halt | stop | stops | terminate => cancel @post
log | logs | log file | log files | logging | console | console output | output | stdout | tail | tailing | printing | live output => log console
export | exports | download | downloadable | zip | archive | package | bundle => export
status | statuses | state | health | healthy | progress | stuck | hung | running | finished | last error => status
# a frequency ("every night") asks for no collection, whatever "every" says
every night | every day | every hour | every morning | every evening | every week | every month | every minute | each night | each day | each hour | each morning | each week | every few hours | every other day => @plain
schedule | schedules | scheduled | cron | frequency | hourly | daily | nightly | weekly | cadence | what time | fires | goes off | next run | when does => schedule
org | orgs | organisation | organisations | organization | organizations | workspace | workspaces | tenant | tenants => organization
sub-account | sub-accounts | subaccount | subaccounts | sub account | sub accounts | sub-organization | sub-organizations | sub organization | sub organizations | sub-org | sub-orgs | suborg | suborgs | child org | child orgs | child organization | child organizations | customer org | customer orgs | customer organization | client org | client orgs | client organization | client organizations | client workspace | client workspaces | customer account | customer accounts | managed org | managed orgs | org id | org ids => organization @partner
partner | partners | partner account | partner key | partner org | partner orgs | partner-level => organization partner @partner
my own organization | my own org | our own org | our own organization | our org | my org | our organization | my organization | our polytomic org | caller's organization | own org | current org | current organization => current organization
invite | invites | invited | inviting => user @create
user | users | member | members | colleague | colleagues | coworker | coworkers | co-worker | co-workers | teammate | teammates | staff | contractor | contractors | person | people | seat | seats | seat list | employee | employees | login | logins => user
role | roles => role permission
permission | permissions | access | rbac | privileges | allowed actions | allow | allows | actions => permission
audit | audit log | audit trail | activity | activity log | changelog | history of changes | event log | happened => event @read
notification | notifications | alert | alerts | alerting | email alerts | email notifications | subscriber | subscribers | recipient | recipients | failure emails | error emails | failure email | error email | org-wide | emailing | emailed | email me | get emails | receive emails => notification global error subscriber
whoami | who am i | my identity | identity | my token | current user | authenticated | caller | my key | token resolves | resolves to | logged in | logged in as | signed in | signed in as => identity me
job | jobs | async | asynchronous | background task | job id => job
# polling reads a state until it changes
poll | polls | polling => job @read
sql | select | query | queries | ad-hoc | adhoc | count => query run
refresh | refreshes | rescan | re-read | reread | re-reading | rereading | re-scan | reinspect | re-inspect | rediscover | re-discover | reload | table list | inspection => refresh schema
sample | peek | example records | sample rows | sample records | preview rows | few rows | few records | some rows | some records | first rows => sample record
preview | previews | dry run | test a model | try a model | try out a model => preview
share | shares | sharing | hand over | lend => share shared connection @create
test connection | verify credentials | validate credentials | check credentials | credentials work | test | testing | before saving | before creating | without saving | dry-run credentials => test connection
parameter values | dropdown | dropdown options | autocomplete | completion values | picklist | options => parameter values
connect session | connect modal | embed | embedded | white-label | whitelabel | onboarding flow | redirect url | connect link => connect session
entity | entities | resolve | resolve id | belongs to | belong to | belonging to | which thing => entity resolved

# The trade's words for the API's things, from a thesaurus written from the
# API description alone (how ELT and reverse-ETL users, tickets and agents
# name them), never from evaluation queries.
elt pipeline | elt pipelines | extract load | extract-load | loader | data load | data loads | warehouse sync | warehouse syncs | lake load | raw sync | raw syncs | table copy | full copy | database copy | db copy | cdc | change data capture | logical replication | binlog replication | bulk load | bulk copy | data dump | fivetran | airbyte | stitch => bulk sync
data activation | operational analytics | crm sync | crm syncs | audience sync | segment sync | lead sync | contact sync | account sync | outbound sync | upsert job | field mapping | field mappings | column mapping | column mappings | mapping | mappings | hightouch | census | sync to app => model sync
sync run | sync runs | run details | run result | run results | outcome | job history | sync history => execution
crontab | cron expression | interval | timer | trigger time | time window | off-hours | overnight | business hours | run after | chained run | timezone | time zone => schedule
sobject | sobjects | cursor field | cursor column | tracking field | tracking column | replication key | incremental key | cursor | incremental | incrementally | table selection | selected tables | enabled tables | synced tables | table config | table settings => schema
error file | error files | error log | error logs | rejected rows | rejects | failed records | bad records | error csv | error report | record-level errors | row-level errors | warnings file | dead letter => execution log error
signed url | signed urls | presigned link | presigned url => log url
data model | sql model | cohort | cohorts | dbt model | custom sql | source query => model
sneak peek | first rows | top 10 | eyeball | spot check | data preview => sample record
creds | dsn | connection string | jdbc url | service account | key pair | linked account | ssh tunnel => connection
reauth | reauthorize | reauthorise | re-authenticate | reconnect => connection @update
check the creds | test the creds | can it connect | verify it can connect | can polytomic reach => test connection
connector catalog | integration catalog | supported sources | supported destinations | do you support | config form | setup form => connection type types
reload metadata | reload catalog | refresh catalog | refresh metadata | refresh field list | pick up new columns | detect new tables | re-introspect | introspect => refresh schema
writable objects | destination object | destination objects | target object | target objects | columns to map to => target object
destination settings | destination config | destination configuration | destination options => destination target
choices | select values | list of databases | list of warehouses | list of schemas | list of projects | enum values | lookup values | typeahead => parameter values
magic link | auth link | onboarding link | hosted auth | oauth link | connect card | connect url | popup | pop-up | iframe | self-serve onboarding => connect session
passthrough | pass-through | raw api call | direct api call | custom request | call the vendor api | escape hatch => proxy
rate limit | rate limits | rate limited | quota | throttle | throttled | throttling | payload limit | size cap => proxy info
ad-hoc query | one-off query | scratch query | sql console | sql editor | worksheet | query results | result set => query run
background job | async job | long-running operation => job
live log | live tail | streaming logs | progress messages | recent log lines => log console
log export | log exports | logs export | log archive | log bundle | support bundle | zip of logs | collect diagnostics | package logs | zip logs | archive logs | send logs to support => export log
activity feed | change history | compliance log | access log => event @read
callback url | endpoint url | notification url | event subscription | listener | receiver | signing secret | hmac => webhook
distribution list | mailing list | notify list | on-call email | alert routing | escalation contacts | who gets paged | who gets emailed => notification global error subscriber
offboard | offboarding | deprovision | leaver | leavers | kick out => user @delete
promote | demote | make admin | downgrade => user role @update
sso | saml | oidc | okta | identity provider | idp | sso domain | email domain => organization
personal access token | bearer token | regenerate key | regenerate api key | mint a token | new api key | issue a key => user api key @create
clone connection | duplicate connection | reuse connection | shared credentials => share shared connection
token introspection | token info | key type | am i authenticated => identity me
custom role | permission set | viewer role | editor role | admin role | action set => role permission
access rule | access rules | acl | access control list | sharing rule | resource-level access | entitlement | entitlements | least privilege | lock down => policy permission
what is this id | mystery id | unknown id | reverse lookup | look up uuid | lookup id => entity resolved
enrich | enrichment | data append | append data | firmographics | technographics | clearbit | apollo | zoominfo | people data labs | email finder => enrichment
skip table | skip the table | cancel table | stop one table | kill one stream => cancel schema @post
full reload | historical resync | historical sync | re-backfill | truncate and reload | start over | re-import | refetch | re-pull | repopulate | reseed | wipe and reload | reset state => resync start
stand up | wire up | hook up | instantiate | bootstrap | scaffold => @create
amend | remap | bump | toggle | flip | tune => @update
sunset | trash | clean up | unsubscribe | unshare => @delete
fire off | launch | invoke | sync now | push now | refresh now | force run | try again | retry | catch up => start execution @post
pull the plug | cut short | interrupt | break off => cancel @post
go live | re-arm | start scheduling | put back in service => activate enable @post @on
put on hold | on hold | freeze | take offline | shelve => activate disable @post @off

# a category of things is their type
category | categories | kinds of | sorts of | varieties of => type

# intents: the verb says which method
create | creates | creating | add | adds | adding | new | make | set up | setup | register | provision | issue | issues | invite | build | define | onboard | establish | spin up | generate | grant | ^let => @create
^sync | ^replicate | ^copy | ^push | ^send | ^load | ^mirror => @create
^start replicating | ^start copying | ^start loading | ^start mirroring | ^start ingesting | ^begin replicating => bulk sync @create
update | updates | updating | change | changes | changing | modify | edit | rename | switch | adjust | alter | tweak | replace | reconfigure | use | set | overwrite | rotate | renew | swap | point | repoint | redirect | move => @update
existing | already existing | current one => @existing
# "make sure" checks; it makes nothing
make sure | ensure => test check
delete | deletes | deleting | remove | removes | removing | drop | destroy | tear down | tears down | wipe | decommission | retire | nuke | disconnect | erase | purge | revoke | get rid | deregister | unregister | detach => @delete
show | get | view | display | see | find | confirm | double check | double-check | look up | lookup | look at | looking at | fetch | check | inspect | describe | read | retrieve | tell | debug | list | enumerate | browse | search | whether => @read
^what | ^which | ^who | ^whom | ^whose | ^how | ^is | ^are | ^has | ^have | ^does | ^do | ^did | ^can | ^why | ^when | ^where => @read
how many | count of | number of => @read @list
list | all | every | enumerate | browse | each | lists => @list
one | single | specific | particular | given | detail | details | in detail | by id | by its | id => @item
`
