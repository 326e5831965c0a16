from datetime import UTC, datetime
from tests.assertions import ok
from tests.factories import Factory
from webwork.models import TimeEntry


async def test_smoke(factory: Factory) -> None:
    space, john, project, contract, task = await factory.john_at_work(timezone="America/New_York")
    start = datetime(2024, 3, 10, 3, 0, tzinfo=UTC)
    end = datetime(2024, 3, 10, 6, 0, tzinfo=UTC)
    factory.session.add(TimeEntry(workspace_id=space.id, user_id=john.id, contract_id=contract.id, project_id=project.id, task_id=task.id, start_at=start, end_at=end, duration_seconds=10800, method="manual"))
    await factory.session.commit()
    r = await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "start_date": "2024-03-09", "end_date": "2024-03-10"})
    print(r.json())
    r = await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "start_date": "2024-03-09", "end_date": "2024-03-10", "group_by": "project,day"})
    print(r.json())
    r = await space.owner.api.get("/reports/task-report", params={**space.ws, "start_date": "2024-03-09", "end_date": "2024-03-10"})
    print(r.json())
    r = await space.owner.api.get("/reports/activity-descriptions", params={**space.ws, "start_date": "2024-03-09", "end_date": "2024-03-10"})
    print(r.json())
    r = await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "start_date": "2024-03-09", "end_date": "2024-03-10", "format": "csv"})
    print(r.headers, r.text)
    r = await space.owner.api.get("/reports/tracked-hours", params={**space.ws, "start_date": "2024-03-09", "end_date": "2024-03-10", "format": "xlsx", "users": "[1,2]"})
    print(r.status_code, r.headers, len(r.content))
    assert 0
