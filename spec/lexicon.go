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
pause | pauses | deactivate | disable | turn off | suspend | stop scheduling | switch off | mute | silence => activate disable @post
resume | reactivate | re-enable | reenable | unpause | turn on | turn back on | switch back on | enable | back on | switch on | activate => activate enable @post
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
