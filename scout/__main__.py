from scout.cli import main

main()
