"""The one django-tasks task: deliver a Job to a worker."""

from django_tasks import TaskContext, task

from salama.jobs import runner


@task(takes_context=True)
def run_job(context: TaskContext, job_id: str) -> None:
    runner.execute(job_id, delivery_id=str(context.task_result.id))
