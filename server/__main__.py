from training_data_miner.server.cli import run

run()
