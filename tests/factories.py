"""Test data builders and authenticated API clients.

Every builder writes through the ORM and commits (inside a test that commit only
releases a SAVEPOINT of the test's transaction)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.api_keys import service as api_keys
from webwork.auth.principal import Actor, Principal
from webwork.auth.roles import Role
from webwork.kit.days import range_bounds
from webwork.models import (
    Contract,
    Leave,
    LeaveHoliday,
    LeavePolicy,
    Membership,
    Project,
    ProjectManager,
    ProjectViewerProject,
    Task,
    TaskAssignee,
    Team,
    TeamMember,
    TimeEntry,
    Timesheet,
    User,
    Workspace,
)

_seq = itertools.count(1)


class ApiClient:
    """An httpx client speaking as one API key; ``delete`` takes a JSON body as the
    hosted API's DELETEs do."""

    def __init__(self, http: httpx.AsyncClient, key: str | None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    async def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kw)

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", url, **kw)

    async def put(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("PUT", url, **kw)

    async def delete(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kw)


@dataclass
class Person:
    user: User
    membership: Membership
    key: str
    api: ApiClient

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def workspace_id(self) -> int:
        return self.membership.workspace_id


@dataclass
class Space:
    """A workspace with its owner; ``ws`` is the query-string dict for requests."""

    workspace: Workspace
    owner: Person

    @property
    def id(self) -> int:
        return self.workspace.id

    @property
    def ws(self) -> dict[str, int]:
        return {"workspace_id": self.workspace.id}

    def actor(self, person: Person | None = None) -> Actor:
        """``person`` (default: the owner) as the caller services take, in this workspace."""
        who = person or self.owner
        return Actor(Principal(who.user), self.workspace, who.membership)


class QueryCounter:
    """Counts SQL statements (transaction control excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def record(self, statement: str) -> None:
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head not in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
            self.statements.append(statement)

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclass
class Factory:
    session: AsyncSession
    http: httpx.AsyncClient
    anonymous: ApiClient = field(init=False)

    def __post_init__(self) -> None:
        self.anonymous = ApiClient(self.http, None)

    async def _save(self, *rows: Any) -> None:
        self.session.add_all(rows)
        await self.session.flush()
        await self.session.commit()

    async def user(self, **fields: Any) -> User:
        n = next(_seq)
        values = {"email": f"user{n}@example.com", "firstname": f"First{n}", "lastname": f"Last{n}", **fields}
        user = User(**values)
        await self._save(user)
        return user

    async def space(self, name: str | None = None, **workspace_fields: Any) -> Space:
        """A workspace and its owner (with an API key and a client)."""
        owner_user = await self.user()
        workspace = Workspace(
            name=name or f"Workspace {next(_seq)}", owner_id=owner_user.id, **workspace_fields
        )
        await self._save(workspace)
        owner = await self._person(workspace, owner_user, Role.OWNER, rate_status=1)
        return Space(workspace, owner)

    async def person(self, space: Space | Workspace, role: Role | str = Role.MEMBER, **fields: Any) -> Person:
        """A new user with ``role`` in the workspace; ``fields`` go to the membership
        (status, timezone, weekly_hours_limit, rate_status, rate) or the user."""
        workspace = space.workspace if isinstance(space, Space) else space
        user_fields = {k: fields.pop(k) for k in ("email", "firstname", "lastname") if k in fields}
        user = await self.user(**user_fields)
        return await self._person(workspace, user, Role(role), **fields)

    async def join(
        self, space: Space | Workspace, person: Person, role: Role | str = Role.MEMBER, **fields: Any
    ) -> Person:
        """``person`` as a member of another workspace too: the same user and API key,
        a second membership (``fields`` go to it)."""
        workspace = space.workspace if isinstance(space, Space) else space
        membership = Membership(workspace_id=workspace.id, user_id=person.id, role=Role(role).value, **fields)
        await self._save(membership)
        return Person(person.user, membership, person.key, person.api)

    async def approved_timesheet(self, person: Person, first: date, last: date) -> Timesheet:
        """An approved timesheet of ``person`` for first..last, locked as approval locks
        it: the local dates' UTC span in the member's timezone of now."""
        timezone = person.membership.timezone
        start, end = range_bounds(first, last, timezone)
        timesheet = Timesheet(
            workspace_id=person.workspace_id,
            user_id=person.id,
            date_from=first,
            date_to=last,
            status="approved",
            locked_from=start,
            locked_until=end,
            approved_timezone=timezone,
        )
        await self._save(timesheet)
        return timesheet

    async def _person(self, workspace: Workspace, user: User, role: Role, **fields: Any) -> Person:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role.value, **fields)
        await self._save(membership)
        _, key = await api_keys.create(self.session, user, "test")
        await self.session.commit()
        return Person(user, membership, key, ApiClient(self.http, key))

    async def project(
        self, space: Space | Workspace, *, managers: list[Person] | None = None, **fields: Any
    ) -> Project:
        workspace = space.workspace if isinstance(space, Space) else space
        values: dict[str, Any] = {"name": f"Project {next(_seq)}", "owner_id": workspace.owner_id, **fields}
        project = Project(workspace_id=workspace.id, **values)
        await self._save(project)
        for manager in managers or []:
            await self._save(ProjectManager(project_id=project.id, user_id=manager.id))
        return project

    async def contract(self, project: Project, person: Person | User, **fields: Any) -> Contract:
        user = person.user if isinstance(person, Person) else person
        contract = Contract(
            workspace_id=project.workspace_id, project_id=project.id, user_id=user.id, **fields
        )
        await self._save(contract)
        return contract

    async def grant(self, project: Project, viewer: Person) -> None:
        """Let the project viewer ``viewer`` read ``project`` (as assign-project does)."""
        await self._save(
            ProjectViewerProject(workspace_id=project.workspace_id, user_id=viewer.id, project_id=project.id)
        )

    async def task(self, project: Project, *, assignees: list[Person] | None = None, **fields: Any) -> Task:
        values: dict[str, Any] = {
            "title": f"Task {next(_seq)}",
            "owner_id": project.owner_id,
            "creator_id": project.owner_id,
            **fields,
        }
        task = Task(workspace_id=project.workspace_id, project_id=project.id, **values)
        await self._save(task)
        for person in assignees or []:
            await self._save(TaskAssignee(task_id=task.id, user_id=person.id))
        return task

    async def contracted_task(
        self, *, project_name: str | None = None, task_title: str | None = None, **person_fields: Any
    ) -> tuple[Space, Person, Project, Contract, Task]:
        """A new workspace; a member (``person_fields`` go to :meth:`person`) with a
        contract on a project, and a task on that project."""
        space = await self.space()
        person = await self.person(space, **person_fields)
        project = await self.project(space, **({"name": project_name} if project_name else {}))
        contract = await self.contract(project, person)
        task = await self.task(project, **({"title": task_title} if task_title else {}))
        return space, person, project, contract, task

    async def john_at_work(self, **membership: Any) -> tuple[Space, Person, Project, Contract, Task]:
        """:meth:`contracted_task` with John Doe on "Website Redesign", task "Update
        homepage design"; ``membership`` goes to his membership (timezone, ...)."""
        return await self.contracted_task(
            project_name="Website Redesign",
            task_title="Update homepage design",
            firstname="John",
            lastname="Doe",
            **membership,
        )

    async def managers(self, space: Space, *, contracted: Person, teammate: Person) -> tuple[Person, Person]:
        """A project manager of a project ``contracted`` has a contract on, and a team
        manager of a team ``teammate`` is in; returns ``(pm, tm)``."""
        pm = await self.person(space, Role.PROJECT_MANAGER)
        tm = await self.person(space, Role.TEAM_MANAGER)
        await self.contract(await self.project(space, managers=[pm]), contracted)
        await self.team(space, members=[teammate], managers=[tm])
        return pm, tm

    async def ranked_team(self, space: Space) -> tuple[Person, Person, Person, Person]:
        """A team manager whose team holds an executive manager, another team manager
        and a member: (team manager, executive, peer, member)."""
        tm = await self.person(space, Role.TEAM_MANAGER)
        executive = await self.person(space, Role.EXECUTIVE_MANAGER)
        peer = await self.person(space, Role.TEAM_MANAGER)
        member = await self.person(space)
        await self.team(space, members=[executive, peer, member], managers=[tm])
        return tm, executive, peer, member

    async def entry(
        self,
        person: Person,
        start: datetime,
        end: datetime,
        *,
        contract: Contract | None = None,
        task: Task | None = None,
        description: str | None = None,
        activity_level: int | None = None,
        method: str = "manual",
    ) -> TimeEntry:
        """A finished time entry of ``person`` written straight to the table (no rule
        of recording applies): the data of reports."""
        entry = TimeEntry(
            workspace_id=person.workspace_id,
            user_id=person.id,
            contract_id=contract.id if contract else None,
            project_id=contract.project_id if contract else (task.project_id if task else None),
            task_id=task.id if task else None,
            start_at=start,
            end_at=end,
            duration_seconds=int((end - start).total_seconds()),
            activity_description=description,
            activity_level=activity_level,
            method=method,
            created_by=person.id,
        )
        await self._save(entry)
        return entry

    async def leave(self, person: Person, first: date, last: date, *, status: str = "approved") -> Leave:
        """A day-based leave of ``person`` written straight to the table (with a policy
        of its own): the data of the attendance report."""
        policy = LeavePolicy(
            workspace_id=person.workspace_id, name=f"Policy {next(_seq)}", time_unit="days", duration=20
        )
        await self._save(policy)
        days = Decimal((last - first).days + 1)
        leave = Leave(
            workspace_id=person.workspace_id,
            user_id=person.id,
            policy_id=policy.id,
            start_date=first,
            end_date=last,
            days=days,
            hours=days * 8,
            amount=days,
            status=status,
            created_by=person.id,
        )
        await self._save(leave)
        return leave

    async def holiday(self, space: Space, day: date) -> LeaveHoliday:
        holiday = LeaveHoliday(workspace_id=space.workspace.id, date=day, name="Holiday")
        await self._save(holiday)
        return holiday

    async def team(
        self,
        space: Space | Workspace,
        *,
        members: Sequence[Person] = (),
        managers: Sequence[Person] = (),
        name: str = "Team",
    ) -> Team:
        workspace = space.workspace if isinstance(space, Space) else space
        team = Team(workspace_id=workspace.id, name=name)
        await self._save(team)
        for person in members:
            await self._save(TeamMember(team_id=team.id, user_id=person.id, is_manager=False))
        for person in managers:
            await self._save(TeamMember(team_id=team.id, user_id=person.id, is_manager=True))
        return team
