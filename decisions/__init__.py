"""What-if allocation and the decision package: above budgeting, below reports and the dashboard."""
